package dev.squall.ops;

import static dev.squall.ops.OpAssertions.assertNmseBelow;
import static dev.squall.ops.OpAssertions.seeded;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.squall.graph.RopeSpec;
import dev.squall.graph.RopeSpec.Pairing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class RopeTest {

    @ParameterizedTest
    @EnumSource(Pairing.class)
    void firstPairRotatesByThePositionItself(Pairing pairing) {
        int headSize = 8;
        RopeSpec spec = new RopeSpec(headSize, 10000f, 1f, null, pairing);
        float[] x = new float[headSize];
        x[0] = 1f;
        Rope.Table table = new Rope.Table(headSize);
        table.fill(spec, 3);
        Rope.cpu(x, 0, 1, headSize, spec, table);
        int partner = pairing == Pairing.ADJACENT ? 1 : headSize / 2;
        assertEquals((float) Math.cos(3), x[0], 0f, "x0 = cos θ");
        assertEquals((float) Math.sin(3), x[partner], 0f, "partner = sin θ");
        for (int i = 1; i < headSize; i++) if (i != partner) assertEquals(0f, x[i], "element " + i + " untouched");
    }

    @ParameterizedTest
    @EnumSource(Pairing.class)
    void elementsBeyondTheRotaryDimsPassThrough(Pairing pairing) {
        int headSize = 32, dims = 16;
        RopeSpec spec = new RopeSpec(dims, 10000f, 1f, null, pairing);
        float[] x = seeded(2 * headSize, 11), before = x.clone();
        Rope.Table table = new Rope.Table(dims);
        table.fill(spec, 42);
        Rope.cpu(x, 0, 2, headSize, spec, table);
        for (int h = 0; h < 2; h++) {
            for (int i = dims; i < headSize; i++) assertEquals(before[h * headSize + i], x[h * headSize + i], "head " + h + " element " + i);
        }
    }

    /**
     * The table follows ggml's float recurrence θ_{i+1} = θ_i·s, whose relative error after i steps
     * is at most about (i + 2)·2^-24; the angle error is then below pos·(dims/2 + 2)·2^-24 and the
     * NMSE of rotated unit-scale data below its square.
     */
    @ParameterizedTest
    @CsvSource({"64,ADJACENT,0", "64,ADJACENT,1", "64,NEOX,7", "80,ADJACENT,100", "128,NEOX,1000", "32,NEOX,4095"})
    void cpuMatchesOracleWithinTheRecurrenceError(int headSize, Pairing pairing, int pos) {
        float[] factors = new float[headSize / 2];
        for (int i = 0; i < factors.length; i++) factors[i] = 1f + i % 3;
        RopeSpec spec = new RopeSpec(headSize, 500000f, 0.5f, factors, pairing);
        int heads = 3;
        float[] a = seeded(heads * headSize, pos), b = a.clone();
        Rope.oracle(a, 0, heads, headSize, pos, spec);
        Rope.Table table = new Rope.Table(headSize);
        table.fill(spec, pos);
        Rope.cpu(b, 0, heads, headSize, spec, table);
        double angleError = Math.max(1, pos) * (headSize / 2.0 + 2) * 0x1p-24;
        assertNmseBelow(a, b, Math.max(angleError * angleError, 1e-13) * 4, "rope " + pairing + " pos " + pos);
    }
}
