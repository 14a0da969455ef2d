/**
 * Quantization of a model's weight matrices into another format: to a new GGUF file
 * ({@link dev.squall.quant.QuantizeFile}, {@code ./squall quantize}) or into off-heap memory as the
 * model is opened ({@link dev.squall.quant.OnTheFlyConversion}, {@code --weights}). Both go through
 * {@link dev.squall.quant.Quantizer}, so a file quantized and then loaded computes with the very
 * bytes of a conversion on the fly. The bit rules are the formats' own ({@code dev.squall.format}).
 */
package dev.squall.quant;
