package dev.squall.backend.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.squall.graph.ModelGraph.KvGeometry;
import org.junit.jupiter.api.Test;

class DeviceBudgetTest {

    /** The 134M sample: 12 layers, 12 KV heads of 64. */
    private static final KvGeometry SAMPLE = new KvGeometry(12, 12, 64);
    private static final long GIB = 1L << 30;

    @Test
    void eightSlotsWhenTheCacheFitsAQuarterOfTheDevice() {
        DeviceBudget b = DeviceBudget.of(SAMPLE, 2048, 8 * GIB, 2 * GIB, 0, 0);
        assertEquals(8, b.slots());
        assertEquals(512, b.tokens());
    }

    @Test
    void fewerSlotsOnASmallDevice() {
        // one slot of the sample at 2048 positions: 2 × 12 × 2048 × 768 × 4 B = 151 MB; a quarter of 1 GiB holds one.
        assertEquals(1, DeviceBudget.of(SAMPLE, 2048, GIB, GIB, 0, 0).slots());
    }

    @Test
    void theKeysOfEveryLayerMustFitTheLargestBuffer() {
        long slot = 12L * 2048 * 768 * 4;
        assertEquals(3, DeviceBudget.of(SAMPLE, 2048, 1024 * GIB, 3 * slot + 1, 0, 0).slots());
    }

    @Test
    void callsCarryAtMostTheContext() {
        assertEquals(100, DeviceBudget.of(SAMPLE, 100, 8 * GIB, 2 * GIB, 0, 0).tokens());
        assertEquals(64, DeviceBudget.of(SAMPLE, 2048, 8 * GIB, 2 * GIB, 0, 64).tokens());
    }

    @Test
    void explicitRequestsWin() {
        assertEquals(2, DeviceBudget.of(SAMPLE, 2048, 8 * GIB, 2 * GIB, 2, 0).slots());
    }

    @Test
    void arraysBeyondIntIndicesAreAnError() {
        assertThrows(IllegalArgumentException.class, () -> DeviceBudget.of(new KvGeometry(32, 8, 128), 8192, 1L << 50, 1L << 50, 8, 0));
    }

    @Test
    void kvBytesCountKeysAndValues() {
        assertEquals(2L * 12 * 8 * 2048 * 768 * 4, DeviceBudget.kvBytes(SAMPLE, 2048, 8));
    }
}
