package dev.squall.cpu;

import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.MemorySegment;

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
 * are exactly those of the format's {@link RowKernel#dotQ8}, so a packed matrix gives the same bits.
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
        int codeBytes = blockBytes - 2;
        rowCodes = rowBlocks * codeBytes;
        rowsPerChunk = Math.max(1, CHUNK_BYTES / rowCodes);
        int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        codes = new byte[chunks][];
        scales = new float[chunks][];
        MemorySegment data = w.data();
        for (int c = 0; c < chunks; c++) {
            int r0 = c * rowsPerChunk, n = Math.min(rowsPerChunk, rows - r0);
            byte[] cc = codes[c] = new byte[n * rowCodes];
            float[] sc = scales[c] = new float[n * rowBlocks];
            for (int i = 0; i < n; i++) {
                long row = w.rowOffset(r0 + i);
                for (int b = 0; b < rowBlocks; b++) {
                    long block = row + (long) b * blockBytes;
                    sc[i * rowBlocks + b] = F16.toFloat(data.get(LittleEndian.SHORT, block));
                    MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, block + 2, cc, i * rowCodes + b * codeBytes, codeBytes);
                }
            }
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

    /**
     * Row {@code row} times tokens {@code t0 .. t0 + 3}: {@code out[outOffset + i·outStride]}, each
     * bit for bit {@link #dot} of that token, the row's codes widened once for the four.
     * {@code lanes}: four {@link Lanes#F}-many floats.
     */
    public abstract void dot4(int row, Q8Activations x, int t0, float[] out, int outOffset, int outStride, float[] lanes);

    @Override public String toString() { return name + " packed for the int8 path"; }
}
