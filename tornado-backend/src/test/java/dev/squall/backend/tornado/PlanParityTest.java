package dev.squall.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.backend.Plan;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.model.Model;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A plan on the device computes the same logits as the Java backend, in every weight format. */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PlanParityTest {

    static List<WeightFormat> formats() { return WeightFormats.all(); }

    /**
     * Both backends sum in float in different orders: per matmul the difference is within
     * γ_k·Σ|w·x| relative, a few 1e-6 for rows of 256–512; through two layers the logits' NMSE
     * stays far below 1e-8 (measured around 1e-12), while a wrong kernel gives NMSE near 1.
     */
    private static final double NMSE_BOUND = 1e-8;

    @ParameterizedTest
    @MethodSource("formats")
    void deviceLogitsMatchTheJavaBackend(WeightFormat format) {
        try (Model m = Model.open(Fixtures.file(Fixtures.llama(format)));
             Plan java = Fixtures.compile(m, Fixtures.JAVA, 128);
             Plan device = Fixtures.compile(m, Fixtures.device(), 128)) {
            int[] tokens = Fixtures.tokens(40, m.config().vocabSize(), 1);
            double nmse = Fixtures.nmse(Fixtures.logits(java, tokens), Fixtures.logits(device, tokens));
            assertTrue(nmse < NMSE_BOUND, format + ": NMSE " + nmse + " against the Java backend");
        }
    }
}
