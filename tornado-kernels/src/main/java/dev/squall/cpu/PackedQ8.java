package dev.squall.cpu;

import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A weight matrix copied once, when a plan is built, into the int8 path's layout
 * ({@code --activations q8}): for formats whose blocks are {@code {fp16 d; codes}} (Q8_0, Q4_0),
 * each row's codes back to back in a heap array, without the block headers between them, and the
 * block scales widened to floats in a second array.
 *
 * <p>Why: read from the mapped file, every block costs two segment accesses (its fp16 scale, its
 * codes at an 18- or 34-byte stride), each with its bounds check and scale conversion. From heap
 * arrays the same integer products ran 1.3-1.6× faster on one thread (32000 × 768, streamed from
 * memory: Q4_0 12.4 → 19.3-19.9, Q8_0 11.0 → 14.6 billion weights per second; EPYC Zen 5,
 * 2026-12-07, the variants alternated in one JVM; scales alone moved to a float array gave Q4_0
 * 16.9). The products, their order and the scales' float product
 * are the format's {@link RowKernel#dotQ8}: a mapped row's dotQ8 copies the row into this layout
 * ({@link RowCopy}) and runs the same kernel, so packed and mapped rows give the same bits by construction.
 *
 * <p>The copy costs {@code 2 · rows · blocks} bytes more than the file's (floats for the fp16
 * scales: Q8_0 +6%, Q4_0 +11%); the mapped pages are not read again. Rows are split over arrays of
 * at most 2<sup>30</sup> code bytes, so any tensor fits.
 */
public abstract class PackedQ8 {

    private static final int CHUNK_BYTES = 1 << 30;

    private final String name;
    private final int rows;
    private final int rowsPerChunk;
    /** Code bytes and blocks of one row. */
    final int rowCodes, rowBlocks;
    private final byte[][] codes;
    private final float[][] scales;

    /**
     * Copies {@code w}, whose blocks of {@code blockBytes} hold an fp16 scale at byte 0 and
     * {@code blockBytes - 2} code bytes after it.
     */
    PackedQ8(WeightTensor w, int blockElements, int blockBytes) {
        if (w.columns() % blockElements != 0) {
            throw new IllegalArgumentException("tensor " + w + ": rows of " + w.columns() + " are not whole blocks of " + blockElements);
        }
        name = w.name();
        rows = w.rows();
        rowBlocks = w.columns() / blockElements;
        rowCodes = rowBlocks * (blockBytes - 2);
        rowsPerChunk = Math.max(1, CHUNK_BYTES / rowCodes);
        int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        codes = new byte[chunks][];
        scales = new float[chunks][];
        for (int c = 0; c < chunks; c++) {
            int r0 = c * rowsPerChunk, n = Math.min(rowsPerChunk, rows - r0);
            byte[] cc = codes[c] = new byte[n * rowCodes];
            float[] sc = scales[c] = new float[n * rowBlocks + SCALE_PAD];
            for (int i = 0; i < n; i++) copyRow(w.data(), w.rowOffset(r0 + i), rowBlocks, blockBytes, cc, i * rowCodes, sc, i * rowBlocks);
        }
    }

    /**
     * Floats after the last row's scales: a kernel may load a whole vector of scales from any
     * block of a row ({@link Lanes#F}-many), of which it uses the first few.
     */
    static final int SCALE_PAD = Lanes.F.length();

    /**
     * One row of {@code blocks} blocks from byte {@code row} of {@code data} in the packed layout:
     * its codes to {@code codes[c0 ..]}, its scales as floats to {@code scales[s0 ..]}.
     */
    static void copyRow(MemorySegment data, long row, int blocks, int blockBytes, byte[] codes, int c0, float[] scales, int s0) {
        int codeBytes = blockBytes - 2;
        for (int b = 0; b < blocks; b++) {
            long block = row + (long) b * blockBytes;
            scales[s0 + b] = F16.toFloat(data.get(LittleEndian.SHORT, block));
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, block + 2, codes, c0 + b * codeBytes, codeBytes);
        }
    }

    /** A row copied into the packed layout for the kernels that read only that layout (a thread's scratch). */
    static final class RowCopy {
        byte[] codes = new byte[0];
        float[] scales = new float[0];

        private static final ThreadLocal<RowCopy> MINE = ThreadLocal.withInitial(RowCopy::new);

        /** This thread's copy of the row at byte {@code row} of {@code data}; valid until its next call. */
        static RowCopy of(MemorySegment data, long row, int blocks, int blockBytes) {
            RowCopy r = MINE.get();
            if (r.scales.length < blocks + SCALE_PAD) {
                r.codes = new byte[blocks * (blockBytes - 2)];
                r.scales = new float[blocks + SCALE_PAD];
            }
            copyRow(data, row, blocks, blockBytes, r.codes, 0, r.scales, 0);
            return r;
        }
    }

    public int rows() { return rows; }

    /** Bytes of the copy on the heap. */
    public long bytes() { return (long) rows * (rowCodes + (long) rowBlocks * Float.BYTES); }

    /** The array holding row {@code row}'s codes; they start at {@link #codeOffset}. */
    final byte[] codes(int row) { return codes[row / rowsPerChunk]; }

    final int codeOffset(int row) { return (row % rowsPerChunk) * rowCodes; }

    /** The array holding row {@code row}'s block scales; they start at {@link #scaleOffset}. */
    final float[] scales(int row) { return scales[row / rowsPerChunk]; }

    final int scaleOffset(int row) { return (row % rowsPerChunk) * rowBlocks; }

    /** Row {@code row} times token {@code token} of {@code x}: bit for bit the format's {@link RowKernel#dotQ8}. */
    public abstract float dot(int row, Q8Activations x, int token, float[] lanes);

    /** Rows per pass of the int8 path: every token of a batch reads them while they are in L1. */
    public static final int PASS_ROWS = 16;

    /**
     * Rows {@code [r0, r1)} times every token of {@code x}, to {@code out[outOffset + t·rows + r]},
     * each result bit for bit {@link #dot} of its row and token; each row's codes are widened once
     * for a few tokens. {@code lanes}: four {@link Lanes#F}-many floats.
     *
     * <p>Each format runs this loop in its own class, so the JIT compiles it with that format's
     * kernels only: a shared loop calling the kernels of several formats inlined them all into one
     * method, past C2's node limit, and the kernels left out ran with boxed vectors (Q4_0, four
     * tokens: 27 → 10 billion weight-tokens per second, EPYC Zen 5, 2026-12-08).
     */
    public abstract void rows(Q8Activations x, float[] out, int outOffset, int r0, int r1, float[] lanes);

    /**
     * The end of the pass of {@link #rows} that starts at row {@code p0}: at most
     * {@link #PASS_ROWS} rows, within {@code r1} and within one array, so a pass finds its arrays
     * once and steps through them by {@link #rowCodes} and {@link #rowBlocks}.
     */
    final int passEnd(int p0, int r1) {
        return Math.min(Math.min(r1, p0 + PASS_ROWS), (p0 / rowsPerChunk + 1) * rowsPerChunk);
    }

    @Override public String toString() { return name + " packed for the int8 path"; }
}
