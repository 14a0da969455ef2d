package dev.squall.backend.java;

import dev.squall.backend.CacheType;
import dev.squall.graph.KvCache;
import dev.squall.graph.SqueezedIndex;
import dev.squall.graph.ModelGraph.KvGeometry;
import dev.squall.ops.Attention.KvPages;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The KV cache of the Java backend: keys and values in pages of {@value #PAGE_SIZE} positions, as
 * floats or as binary16 halves ({@link CacheType}, chosen for keys and values apart).
 * Values are stored position by position ({@code kvWidth} elements each); keys dimension by
 * dimension ({@code PAGE_SIZE} floats per element of the row), which turns the attention scores of
 * a page into vertical multiply-adds ({@link KvPages#keysByDimension}).
 *
 * <p>A physical page holds its positions for every layer ({@code keys[layer][page]}); a sequence
 * maps its position pages to physical pages through a page table. Forks copy the table and share
 * the pages (reference counts); the first write into a shared page copies it (copy-on-write), so a
 * fork costs a table copy however long the shared prefix. The cache holds at most
 * {@code totalCells} cells (rounded up to pages) over all sequences; shared pages count once.
 */
final class JavaKvCache implements KvCache {

    static final int PAGE_SHIFT = 6;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;

    private final KvGeometry geometry;
    private final int capacity;
    private final int maxPages;
    // [layer][physical page] -> PAGE_SIZE × kvWidth elements; the float or the half array of each pair is null
    private final float[][][] keys, values;
    private final short[][][] halfKeys, halfValues;
    private int[] refCounts = new int[0];
    private int pagesAllocated;
    private final ArrayDeque<Integer> freePages = new ArrayDeque<>();
    private final Map<Integer, Sequence> sequences = new HashMap<>();
    private int nextId;

    private static final class Sequence {
        int[] pages = new int[4];
        int pageCount;
        int length;
        int fixed;                  // cells [0, fixed) hold a loaded fixed context
        SqueezedIndex index;        // its index, or null (dense)
    }

    JavaKvCache(KvGeometry geometry, int capacity, int totalCells) {
        this(geometry, capacity, totalCells, CacheType.F32, CacheType.F32);
    }

    JavaKvCache(KvGeometry geometry, int capacity, int totalCells, CacheType keyType, CacheType valueType) {
        if (capacity < 1) throw new IllegalArgumentException("context size must be at least 1: " + capacity);
        if (totalCells < capacity) throw new IllegalArgumentException("a KV cache of " + totalCells + " cells cannot hold one sequence of " + capacity);
        this.geometry = geometry;
        this.capacity = capacity;
        this.maxPages = (int) Math.min(Integer.MAX_VALUE / PAGE_SIZE, ((long) totalCells + PAGE_SIZE - 1) >>> PAGE_SHIFT);
        int layers = geometry.layers();
        this.keys = keyType == CacheType.F32 ? new float[layers][16][] : null;
        this.halfKeys = keyType == CacheType.F16 ? new short[layers][16][] : null;
        this.values = valueType == CacheType.F32 ? new float[layers][16][] : null;
        this.halfValues = valueType == CacheType.F16 ? new short[layers][16][] : null;
    }

    @Override public synchronized int newSequence() {
        int id = nextId++;
        sequences.put(id, new Sequence());
        return id;
    }

    @Override public synchronized int fork(int seq) {
        Sequence parent = get(seq);
        Sequence child = new Sequence();
        child.pages = parent.pages.clone();
        child.pageCount = parent.pageCount;
        child.length = parent.length;
        child.fixed = parent.fixed;
        child.index = parent.index;
        for (int i = 0; i < child.pageCount; i++) refCounts[child.pages[i]]++;
        int id = nextId++;
        sequences.put(id, child);
        return id;
    }

    @Override public synchronized void truncate(int seq, int length) {
        Sequence s = get(seq);
        if (length < 0 || length > s.length) {
            throw new IllegalArgumentException("cannot truncate sequence " + seq + " of length " + s.length + " to " + length);
        }
        if (length < s.fixed) {
            throw new IllegalArgumentException("cannot truncate sequence " + seq + " to " + length + ": its first " + s.fixed + " cells are a fixed context");
        }
        int keep = (length + PAGE_SIZE - 1) >>> PAGE_SHIFT;
        for (int i = keep; i < s.pageCount; i++) release(s.pages[i]);
        s.pageCount = keep;
        s.length = length;
    }

    @Override public synchronized void remove(int seq) {
        Sequence s = get(seq);
        for (int i = 0; i < s.pageCount; i++) release(s.pages[i]);
        sequences.remove(seq);
    }

    @Override public synchronized int length(int seq) { return get(seq).length; }

    @Override public int capacity() { return capacity; }

    @Override public synchronized boolean contains(int seq) { return sequences.containsKey(seq); }

    @Override public synchronized int freeCells(int seq) {
        Sequence s = get(seq);
        int free = maxPages - pagesInUse();
        boolean lastShared = s.pageCount > 0 && refCounts[s.pages[s.pageCount - 1]] > 1;
        int room = s.pageCount * PAGE_SIZE - s.length;
        if (lastShared && free == 0) room = 0;
        else if (lastShared) free--;
        long cells = room + (long) free * PAGE_SIZE;
        return (int) Math.min(capacity - s.length, cells);
    }

    @Override public synchronized int freeCells() { return (maxPages - pagesInUse()) * PAGE_SIZE; }

    @Override public synchronized void compact(int seq, int start, int[] cells) {
        Sequence s = get(seq);
        KvCache.checkCompaction(seq, s.length, start, cells);
        if (start < s.fixed) throw new IllegalArgumentException("cannot compact sequence " + seq + " from cell " + start + ": its first " + s.fixed + " cells are a fixed context");
        java.util.Set<Integer> copies = new java.util.HashSet<>();
        for (int i = 0; i < cells.length; i++) {
            int dst = start + i, page = s.pages[dst >>> PAGE_SHIFT];
            if (cells[i] != dst && refCounts[page] > 1) copies.add(dst >>> PAGE_SHIFT);
        }
        if (copies.size() > maxPages - pagesInUse()) {
            throw new IllegalStateException("the KV cache is full: compacting sequence " + seq + " needs " + copies.size() + " free pages");
        }
        int width = geometry.kvWidth();
        for (int i = 0; i < cells.length; i++) {
            int src = cells[i], dst = start + i;
            if (src == dst) continue;
            unshare(s, dst >>> PAGE_SHIFT);
            int from = s.pages[src >>> PAGE_SHIFT], to = s.pages[dst >>> PAGE_SHIFT];
            int fs = src & (PAGE_SIZE - 1), ds = dst & (PAGE_SIZE - 1);
            for (int l = 0; l < geometry.layers(); l++) {
                if (keys != null) {
                    float[] kf = keys[l][from], kt = keys[l][to];
                    for (int c = 0; c < width; c++) kt[(c << PAGE_SHIFT) + ds] = kf[(c << PAGE_SHIFT) + fs];
                } else {
                    short[] kf = halfKeys[l][from], kt = halfKeys[l][to];
                    for (int c = 0; c < width; c++) kt[(c << PAGE_SHIFT) + ds] = kf[(c << PAGE_SHIFT) + fs];
                }
                if (values != null) System.arraycopy(values[l][from], fs * width, values[l][to], ds * width, width);
                else System.arraycopy(halfValues[l][from], fs * width, halfValues[l][to], ds * width, width);
            }
        }
        truncate(seq, start + cells.length);
    }

    /**
     * Checks that writing the cells {@code cells[i]} of sequences {@code seqs[i]} finds room: new
     * pages and copies of shared pages must fit in the free pages. Nothing changes.
     */
    synchronized void checkRoom(int[] seqs, int[] cells, int n) {
        Map<Integer, java.util.Set<Integer>> pages = new HashMap<>();
        int needed = 0;
        for (int i = 0; i < n; i++) {
            Sequence s = get(seqs[i]);
            int logical = cells[i] >>> PAGE_SHIFT;
            if (!pages.computeIfAbsent(seqs[i], k -> new java.util.HashSet<>()).add(logical)) continue;
            if (logical >= s.pageCount || refCounts[s.pages[logical]] > 1) needed++;
        }
        int free = maxPages - pagesInUse();
        if (needed > free) {
            throw new IllegalArgumentException("the KV cache is full: the batch needs " + needed + " more pages of " + PAGE_SIZE
                    + " cells, " + free + " are free (" + (long) maxPages * PAGE_SIZE + " cells in all)");
        }
    }
    /** Physical pages in use (for tests and reports). */
    synchronized int pagesInUse() { return pagesAllocated - freePages.size(); }

    /**
     * Makes position {@code pos} of {@code seq} writable: allocates its page or copies a shared one,
     * and extends the sequence. Positions must arrive without gaps.
     */
    synchronized void prepareWrite(int seq, int pos) {
        Sequence s = get(seq);
        if (pos > s.length) {
            throw new IllegalArgumentException("sequence " + seq + " holds " + s.length
                    + " positions; position " + pos + " would leave a gap");
        }
        if (pos >= capacity) {
            throw new IllegalArgumentException("position " + pos + " is beyond the context size " + capacity);
        }
        int logical = pos >>> PAGE_SHIFT;
        if (logical == s.pageCount) {
            if (s.pages.length == logical) s.pages = Arrays.copyOf(s.pages, logical * 2);
            s.pages[logical] = allocate();
            s.pageCount++;
        } else {
            unshare(s, logical);
        }
        s.length = Math.max(s.length, pos + 1);
    }

    /** Gives the sequence its own copy of a logical page it shares (copy-on-write). */
    private void unshare(Sequence s, int logical) {
        if (refCounts[s.pages[logical]] <= 1) return;
        int copy = allocate();
        int from = s.pages[logical];
        for (int l = 0; l < geometry.layers(); l++) {
            if (keys != null) System.arraycopy(keys[l][from], 0, keys[l][copy], 0, keys[l][copy].length);
            else System.arraycopy(halfKeys[l][from], 0, halfKeys[l][copy], 0, halfKeys[l][copy].length);
            if (values != null) System.arraycopy(values[l][from], 0, values[l][copy], 0, values[l][copy].length);
            else System.arraycopy(halfValues[l][from], 0, halfValues[l][copy], 0, halfValues[l][copy].length);
        }
        release(s.pages[logical]);
        s.pages[logical] = copy;
    }

    /** Stores one token's key and value rows ({@code kvWidth} floats each) for a layer. */
    void write(int layer, int seq, int pos, float[] k, int kOffset, float[] v, int vOffset) {
        Sequence s = get(seq);
        int page = s.pages[pos >>> PAGE_SHIFT];
        int width = geometry.kvWidth(), slot = pos & (PAGE_SIZE - 1);
        if (keys != null) {
            float[] kp = keys[layer][page];
            for (int c = 0; c < width; c++) kp[(c << PAGE_SHIFT) + slot] = k[kOffset + c];
        } else {
            short[] kp = halfKeys[layer][page];
            for (int c = 0; c < width; c++) kp[(c << PAGE_SHIFT) + slot] = Float.floatToFloat16(k[kOffset + c]);
        }
        if (values != null) {
            System.arraycopy(v, vOffset, values[layer][page], slot * width, width);
        } else {
            short[] vp = halfValues[layer][page];
            for (int c = 0; c < width; c++) vp[slot * width + c] = Float.floatToFloat16(v[vOffset + c]);
        }
    }

    @Override public synchronized void load(int seq, Rows rows, SqueezedIndex index) {
        Sequence s = get(seq);
        int n = rows.length();
        if (s.length != 0) throw new IllegalArgumentException("a fixed context loads into an empty sequence; sequence " + seq + " holds " + s.length + " cells");
        if (n < 1 || n > capacity) throw new IllegalArgumentException("a fixed context of " + n + " cells does not fit the context size " + capacity);
        if (index != null && (index.length() != n || index.layers() != geometry.layers() || index.kvHeads() != geometry.kvHeads()
                || index.headSize() != geometry.headSize())) {
            throw new IllegalArgumentException("the squeezed index (" + index.length() + " cells, " + index.layers() + " layers × " + index.kvHeads() + " KV heads of "
                    + index.headSize() + ") does not match the context (" + n + " cells) or the model (" + geometry + ")");
        }
        int pages = (n + PAGE_SIZE - 1) >>> PAGE_SHIFT;
        if (pages > maxPages - pagesInUse()) throw new IllegalArgumentException("the KV cache is full: a fixed context of " + n + " cells needs " + pages + " free pages");
        float[] k = new float[geometry.kvWidth()], v = new float[geometry.kvWidth()];
        for (int cell = 0; cell < n; cell++) {
            prepareWrite(seq, cell);
            for (int l = 0; l < geometry.layers(); l++) {
                rows.read(l, cell, k, v);
                write(l, seq, cell, k, 0, v, 0);
            }
        }
        s.fixed = n;
        s.index = index;
    }

    @Override public synchronized void read(int layer, int seq, int cell, float[] key, float[] value) {
        Sequence s = get(seq);
        if (cell < 0 || cell >= s.length) throw new IllegalArgumentException("sequence " + seq + " holds " + s.length + " cells, not cell " + cell);
        KvPages kv = view(layer, seq);
        for (int c = 0; c < geometry.kvWidth(); c++) {
            key[c] = kv.key(cell, 0, c);
            value[c] = kv.value(cell, 0, c);
        }
    }

    @Override public synchronized void thresholds(int seq, SqueezedIndex.Thresholds thresholds) {
        Sequence s = get(seq);
        if (s.index == null) throw new IllegalArgumentException("sequence " + seq + " holds no squeezed context");
        s.index = s.index.withThresholds(thresholds);
    }

    @Override public synchronized SqueezedIndex index(int seq) { return get(seq).index; }

    @Override public synchronized int fixedLength(int seq) { return get(seq).fixed; }

    /** A view of one layer of one sequence for the attention kernel (valid until the next write). */
    KvPages view(int layer, int seq) {
        Sequence s = get(seq);
        return new KvPages(keys == null ? null : keys[layer], values == null ? null : values[layer],
                halfKeys == null ? null : halfKeys[layer], halfValues == null ? null : halfValues[layer], s.pages, PAGE_SHIFT, geometry.kvWidth(), true);
    }

    private Sequence get(int seq) {
        Sequence s = sequences.get(seq);
        if (s == null) throw new IllegalArgumentException("no sequence " + seq + " in the KV cache");
        return s;
    }

    private int allocate() {
        if (freePages.isEmpty() && pagesAllocated >= maxPages) {
            throw new IllegalStateException("the KV cache is full (" + (long) maxPages * PAGE_SIZE + " cells)");
        }
        Integer free = freePages.poll();
        int page;
        if (free != null) {
            page = free;
        } else {
            page = pagesAllocated++;
            if (page == refCounts.length) refCounts = Arrays.copyOf(refCounts, Math.max(16, page * 2));
            int floats = PAGE_SIZE * geometry.kvWidth();
            for (int l = 0; l < geometry.layers(); l++) {
                if (keys != null) {
                    if (page == keys[l].length) keys[l] = Arrays.copyOf(keys[l], page * 2);
                    keys[l][page] = new float[floats];
                } else {
                    if (page == halfKeys[l].length) halfKeys[l] = Arrays.copyOf(halfKeys[l], page * 2);
                    halfKeys[l][page] = new short[floats];
                }
                if (values != null) {
                    if (page == values[l].length) values[l] = Arrays.copyOf(values[l], page * 2);
                    values[l][page] = new float[floats];
                } else {
                    if (page == halfValues[l].length) halfValues[l] = Arrays.copyOf(halfValues[l], page * 2);
                    halfValues[l][page] = new short[floats];
                }
            }
        }
        refCounts[page] = 1;
        return page;
    }

    private void release(int page) {
        if (--refCounts[page] == 0) freePages.add(page);
    }
}
