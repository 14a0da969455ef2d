package dev.squall.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The hand-written gradients of the heads' loss equal finite differences of the loss, for every parameter tensor. */
class HeadTrainerTest {

    static final int DIM = 8, VOCAB = 11, HEADS = 3, N = 9;

    private static int[] tokens() {
        SplittableRandom r = new SplittableRandom(5);
        int[] t = new int[N];
        for (int i = 0; i < N; i++) t[i] = r.nextInt(VOCAB);
        return t;
    }

    private static float[] hidden() {
        SplittableRandom r = new SplittableRandom(6);
        float[] h = new float[N * DIM];
        for (int i = 0; i < h.length; i++) h[i] = (float) (r.nextDouble() * 2 - 1);
        return h;
    }

    @ParameterizedTest
    @EnumSource(DraftHeads.Kind.class)
    void gradientsMatchCentralDifferences(DraftHeads.Kind kind) {
        DraftHeads heads = DraftHeads.random(kind, HEADS, DIM, VOCAB, 3);
        try (Dense dense = new Dense(1)) {
            HeadTrainer t = new HeadTrainer(heads, dense, 0);
            int[] tokens = tokens();
            float[] hidden = hidden();
            t.zeroGradients();
            t.loss(hidden, tokens, N, true, null);
            SplittableRandom pick = new SplittableRandom(11);
            for (int k = 0; k < HEADS; k++) {
                float[][] params = {heads.w[k], heads.b[k], heads.u[k]}, grads = {t.gw[k], t.gb[k], t.gu[k]};
                String[] names = {"W", "b", "U"};
                for (int p = 0; p < 3; p++) {
                    for (int trial = 0; trial < 8; trial++) {
                        int i = pick.nextInt(params[p].length);
                        float saved = params[p][i];
                        float h = 1e-2f;
                        params[p][i] = saved + h;
                        double up = t.loss(hidden, tokens, N, false, null)[HEADS];
                        params[p][i] = saved - h;
                        double down = t.loss(hidden, tokens, N, false, null)[HEADS];
                        params[p][i] = saved;
                        double numeric = (up - down) / (2 * h);
                        // central differences err by O(h²)·|f'''| and by float rounding of the loss (≈ 1e-6 / h); 2e-3 absolute, 2% relative covers both
                        assertEquals(numeric, grads[p][i], 2e-3 + 0.02 * Math.abs(numeric), kind + " head " + k + " " + names[p] + "[" + i + "]");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DraftHeads.Kind.class)
    void adamwStepsLowerTheLossOnTheWindow(DraftHeads.Kind kind) {
        DraftHeads heads = DraftHeads.random(kind, HEADS, DIM, VOCAB, 4);
        try (Dense dense = new Dense(1)) {
            HeadTrainer t = new HeadTrainer(heads, dense, 0.01);
            int[] tokens = tokens();
            float[] hidden = hidden();
            double before = t.loss(hidden, tokens, N, false, null)[HEADS];
            for (int s = 0; s < 50; s++) {
                t.zeroGradients();
                t.loss(hidden, tokens, N, true, null);
                t.update(1e-2);
            }
            double after = t.loss(hidden, tokens, N, false, null)[HEADS];
            assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
            assertEquals(50, t.steps());
        }
    }
}
