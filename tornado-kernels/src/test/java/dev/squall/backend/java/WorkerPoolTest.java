package dev.squall.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void everyChunkRunsExactlyOnceAcrossManyRegions() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int region = 0; region < 500; region++) {
                int chunks = 1 + region % 37;
                AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
                pool.run(chunks, (c, worker) -> {
                    assertTrue(worker >= 0 && worker < 3);
                    runs.incrementAndGet(c);
                });
                for (int c = 0; c < chunks; c++) assertEquals(1, runs.get(c), "region " + region + " chunk " + c);
            }
        }
    }

    @Test
    void aFailingChunkIsRethrownToTheCaller() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.run(10, (c, w) -> { if (c == 7) throw new IllegalStateException("chunk 7"); }));
            assertEquals("chunk 7", e.getMessage());
            AtomicIntegerArray runs = new AtomicIntegerArray(4);
            pool.run(4, (c, w) -> runs.incrementAndGet(c));
            for (int c = 0; c < 4; c++) assertEquals(1, runs.get(c), "the pool still works after a failure");
        }
    }

    @Test
    void threadCountMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
    }
}
