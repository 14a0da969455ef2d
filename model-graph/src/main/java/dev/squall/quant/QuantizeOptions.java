package dev.squall.quant;

import dev.squall.format.WeightFormat;
import java.util.Objects;

/**
 * What to quantize to, and what to keep.
 *
 * @param target         the format every converted matrix gets
 * @param keepEmbeddings keep {@code token_embd.weight} as stored
 * @param keepOutput     keep {@code output.weight} as stored; with a tied output (no
 *                       {@code output.weight}) the embedding table is the output projection and is
 *                       kept instead
 */
public record QuantizeOptions(WeightFormat target, boolean keepEmbeddings, boolean keepOutput) {

    public QuantizeOptions {
        Objects.requireNonNull(target, "target");
    }

    public static QuantizeOptions to(WeightFormat target) {
        return new QuantizeOptions(target, false, false);
    }
}
