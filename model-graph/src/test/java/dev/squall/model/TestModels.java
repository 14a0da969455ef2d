package dev.squall.model;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.ModelSpec;
import dev.squall.model.synthetic.SyntheticModel;
import dev.squall.tokenizer.SampleVocabulary;
import dev.squall.tokenizer.Vocabulary;
import java.nio.file.Path;

/** Small generated models for tests: every family, GQA, scaling and tied output in a few hundred kB. */
final class TestModels {

    private TestModels() {}

    static final Vocabulary VOCABULARY = SampleVocabulary.generate(512, 3);

    /** llama with GQA 4:2, head size 16, untied output. */
    static ModelSpec llama(WeightFormat f) {
        return new ModelSpec("test-llama", ModelFamily.LLAMA, 64, 2, 4, 2, 16, 96, VOCABULARY, false, 10000f, null, 256, f, 11);
    }

    /** llama with Llama 3 RoPE scaling, tied output and one KV head for four query heads. */
    static ModelSpec llama3Scaled(WeightFormat f) {
        return new ModelSpec("test-llama3", ModelFamily.LLAMA, 64, 2, 4, 1, 16, 96, VOCABULARY, true, 500000f,
                new ModelSpec.Llama3Scaling(8f, 1f, 4f, 64), 256, f, 12);
    }

    static ModelSpec qwen2(WeightFormat f) {
        return new ModelSpec("test-qwen2", ModelFamily.QWEN2, 64, 2, 4, 2, 16, 96, VOCABULARY, false, 1000000f, null, 256, f, 13);
    }

    /** qwen3 with a head size (32) that is not dim / heads (16). */
    static ModelSpec qwen3(WeightFormat f) {
        return new ModelSpec("test-qwen3", ModelFamily.QWEN3, 64, 2, 4, 2, 32, 96, VOCABULARY, true, 1000000f, null, 256, f, 14);
    }

    static Path write(ModelSpec spec, Path dir) {
        Path p = dir.resolve(spec.name() + "-" + spec.matrixFormat().name() + ".gguf");
        SyntheticModel.write(spec, p, null);
        return p;
    }

    static Plan compile(Model m, int threads) {
        return m.compile(new JavaBackend(), PlanOptions.of(256, threads));
    }

    static final WeightFormat F32 = WeightFormats.F32;
}
