package dev.squall.quant;

/** A matrix that cannot be converted: its message names the tensor and what is wrong with it. */
public final class QuantizationException extends IllegalArgumentException {

    public QuantizationException(String message) {
        super(message);
    }
}
