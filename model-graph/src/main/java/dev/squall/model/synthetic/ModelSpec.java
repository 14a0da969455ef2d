package dev.squall.model.synthetic;

import dev.squall.format.WeightFormat;
import dev.squall.model.ModelFamily;
import dev.squall.tokenizer.Vocabulary;

/**
 * The shape of a generated model: a real architecture with seeded random weights and a real
 * (generated or borrowed) tokenizer vocabulary.
 *
 * @param family        llama, qwen2 (writes Q/K/V biases) or qwen3 (writes Q/K norms)
 * @param matrixFormat  the format of every 2-D weight; norms and biases stay F32
 * @param tiedOutput    true: no {@code output.weight}, the embedding table projects the output
 * @param ropeScaling   Llama 3 style frequency scaling written as {@code rope_freqs.weight}, or null
 * @param seed          every weight is a function of the seed and the tensor's name
 */
public record ModelSpec(String name, ModelFamily family, int embedding, int layers, int heads, int kvHeads, int headSize,
                        int ffn, Vocabulary vocabulary, boolean tiedOutput, float ropeBase, Llama3Scaling ropeScaling,
                        int contextLength, WeightFormat matrixFormat, long seed) {

    /**
     * Llama 3.1's RoPE frequency scaling: long wavelengths are slowed by {@code factor}, short ones
     * kept, the band between blended (Meta's reference recipe for the 3.1 release).
     */
    public record Llama3Scaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {

        /** The factors llama.cpp divides each pair's angle by ({@code rope_freqs.weight}). */
        public float[] factors(int dims, float base) {
            float[] f = new float[dims / 2];
            double lowWavelen = originalContext / lowFreqFactor, highWavelen = originalContext / highFreqFactor;
            for (int i = 0; i < f.length; i++) {
                double freq = Math.pow(base, -2.0 * i / dims);
                double wavelen = 2 * Math.PI / freq;
                if (wavelen < highWavelen) f[i] = 1f;
                else if (wavelen > lowWavelen) f[i] = factor;
                else {
                    double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                    f[i] = (float) (1 / ((1 - smooth) / factor + smooth));
                }
            }
            return f;
        }
    }

    public ModelSpec {
        if (heads % kvHeads != 0) throw new IllegalArgumentException(name + ": " + heads + " heads do not group into " + kvHeads + " KV heads");
        if (headSize % 2 != 0) throw new IllegalArgumentException(name + ": head size " + headSize + " must be even for RoPE");
    }

    public ModelSpec withFormat(WeightFormat f) {
        return new ModelSpec(name, family, embedding, layers, heads, kvHeads, headSize, ffn, vocabulary, tiedOutput,
                ropeBase, ropeScaling, contextLength, f, seed);
    }

    public ModelSpec withName(String n) {
        return new ModelSpec(n, family, embedding, layers, heads, kvHeads, headSize, ffn, vocabulary, tiedOutput,
                ropeBase, ropeScaling, contextLength, matrixFormat, seed);
    }

    /** Number of weights (parameters) the model has. */
    public long parameters() {
        long v = vocabulary.size();
        long perLayer = 2L * embedding + (long) embedding * heads * headSize * 2 + 2L * embedding * kvHeads * headSize
                + 3L * embedding * ffn;
        if (family == ModelFamily.QWEN2) perLayer += heads * headSize + 2L * kvHeads * headSize;
        if (family == ModelFamily.QWEN3) perLayer += 2L * headSize;
        return v * embedding * (tiedOutput ? 1 : 2) + embedding + layers * perLayer;
    }
}
