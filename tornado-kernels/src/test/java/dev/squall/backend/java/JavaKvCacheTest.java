package dev.squall.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.graph.ModelGraph.KvGeometry;
import dev.squall.ops.Attention.KvPages;
import java.util.Arrays;
import dev.squall.backend.CacheType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JavaKvCacheTest {

    private static final KvGeometry GEOMETRY = new KvGeometry(2, 1, 4);

    private static float[] row(float v) {
        float[] r = new float[4];
        Arrays.fill(r, v);
        return r;
    }

    private static void put(JavaKvCache c, int seq, int pos, float v) {
        c.prepareWrite(seq, pos);
        for (int layer = 0; layer < 2; layer++) c.write(layer, seq, pos, row(v + layer), 0, row(-v - layer), 0);
    }

    private static float[] key(JavaKvCache c, int layer, int seq, int pos) {
        KvPages p = c.view(layer, seq);
        float[] k = new float[4];
        for (int i = 0; i < 4; i++) k[i] = p.key(pos, 0, i);
        return k;
    }

    /** Values too: integers below 2048 are exact in binary16, so both cache types must return them as written. */
    private static float[] value(JavaKvCache c, int layer, int seq, int pos) {
        KvPages p = c.view(layer, seq);
        float[] v = new float[4];
        for (int i = 0; i < 4; i++) v[i] = p.value(pos, 0, i);
        return v;
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void forkSharesPagesUntilOneSideWrites(CacheType type) {
        JavaKvCache c = new JavaKvCache(GEOMETRY, 1000, 8000, type, type);
        int a = c.newSequence();
        for (int p = 0; p < 100; p++) put(c, a, p, p);
        int pagesBefore = c.pagesInUse();
        int b = c.fork(a);
        assertEquals(pagesBefore, c.pagesInUse(), "a fork copies no pages");
        assertEquals(100, c.length(b));
        c.truncate(b, 90);
        put(c, b, 90, 1000);
        assertArrayEquals(row(90 + 1), key(c, 1, a, 90), "the parent keeps its own position 90");
        assertArrayEquals(row(1000 + 1), key(c, 1, b, 90), "the fork sees what it wrote");
        assertArrayEquals(row(-1000 - 1), value(c, 1, b, 90), "and its value");
        assertArrayEquals(row(-90 - 1), value(c, 1, a, 90), "the parent keeps its value");
        assertArrayEquals(row(5), key(c, 0, b, 5), "shared prefix stays visible to the fork");
        assertEquals(pagesBefore + 1, c.pagesInUse(), "only the written page was copied");
    }

    @Test
    void truncateAndRemoveReleasePages() {
        JavaKvCache c = new JavaKvCache(GEOMETRY, 1000, 8000);
        int a = c.newSequence();
        for (int p = 0; p < 200; p++) put(c, a, p, p);
        c.truncate(a, 10);
        assertEquals(10, c.length(a));
        assertEquals(1, c.pagesInUse());
        c.remove(a);
        assertEquals(0, c.pagesInUse());
        assertFalse(c.contains(a));
    }

    @Test
    void positionsMustNotLeaveGapsOrPassTheContext() {
        JavaKvCache c = new JavaKvCache(GEOMETRY, 8, 64);
        int a = c.newSequence();
        assertThrows(IllegalArgumentException.class, () -> c.prepareWrite(a, 1));
        for (int p = 0; p < 8; p++) put(c, a, p, p);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.prepareWrite(a, 8));
        assertEquals("position 8 is beyond the context size 8", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.truncate(a, 9));
        assertThrows(IllegalArgumentException.class, () -> c.length(a + 1));
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void compactionMovesTheKeptCellsBehindThePrefixInEveryLayer(CacheType type) {
        JavaKvCache c = new JavaKvCache(GEOMETRY, 1000, 8000, type, type);
        int a = c.newSequence();
        for (int p = 0; p < 140; p++) put(c, a, p, p);
        int b = c.fork(a);
        c.compact(a, 60, new int[] {63, 64, 130});
        assertEquals(63, c.length(a));
        assertArrayEquals(row(63), key(c, 0, a, 60));
        assertArrayEquals(row(64 + 1), key(c, 1, a, 61), "across a page boundary");
        assertArrayEquals(row(130), key(c, 0, a, 62));
        assertArrayEquals(row(-130), value(c, 0, a, 62));
        assertArrayEquals(row(59), key(c, 0, a, 59), "the prefix stays");
        assertArrayEquals(row(60), key(c, 0, b, 60), "a fork sharing the pages keeps its own cells");
        assertArrayEquals(row(62 + 1), key(c, 1, b, 62));
        assertEquals(140, c.length(b));
    }

    @Test
    void compactionRejectsCellsThatWouldMoveUpOrAreOutOfOrder() {
        JavaKvCache c = new JavaKvCache(GEOMETRY, 100, 800);
        int a = c.newSequence();
        for (int p = 0; p < 10; p++) put(c, a, p, p);
        assertThrows(IllegalArgumentException.class, () -> c.compact(a, 5, new int[] {4}));
        assertThrows(IllegalArgumentException.class, () -> c.compact(a, 5, new int[] {7, 6}));
        assertThrows(IllegalArgumentException.class, () -> c.compact(a, 5, new int[] {10}));
        assertEquals(10, c.length(a), "a rejected compaction changes nothing");
        assertArrayEquals(row(7), key(c, 0, a, 7));
    }

    @Test
    void freeCellsCountTheContextAndTheCachesPages() {
        JavaKvCache c = new JavaKvCache(GEOMETRY, 200, 4 * JavaKvCache.PAGE_SIZE);
        int a = c.newSequence();
        assertEquals(200, c.freeCells(a));
        assertEquals(4 * JavaKvCache.PAGE_SIZE, c.freeCells());
        for (int p = 0; p < 70; p++) put(c, a, p, p);
        assertEquals(130, c.freeCells(a), "the context bounds it");
        assertEquals(2 * JavaKvCache.PAGE_SIZE, c.freeCells(), "two pages in use");
        int b = c.newSequence();
        for (int p = 0; p < 2 * JavaKvCache.PAGE_SIZE; p++) put(c, b, p, p);
        assertEquals(JavaKvCache.PAGE_SIZE * 2 - 70, c.freeCells(a), "only a's own last page has room left");
        assertEquals(0, c.freeCells());
        int d = c.newSequence();
        assertEquals(0, c.freeCells(d));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.checkRoom(new int[] {d}, new int[] {0}, 1));
        assertTrue(e.getMessage().contains("the KV cache is full"), e.getMessage());
    }
}
