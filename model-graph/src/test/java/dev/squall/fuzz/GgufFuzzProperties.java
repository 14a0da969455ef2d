package dev.squall.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The short fuzz run of {@code mvn verify}: mutated sample models against the GGUF reader and the
 * model built on it. The long run is {@code ./squall fuzz --target gguf --iterations 1000000}.
 */
class GgufFuzzProperties {

    private static void assertDocumented(GgufFuzz.Outcome o, byte[] input, boolean model, String what) {
        assertTrue(o.verdict() != GgufFuzz.Verdict.UNEXPECTED, what + ": " + o.error());
        assertTrue(o.nanos() < GgufFuzz.TIME_BOUND_NANOS, what + ": " + o.nanos() / 1_000_000 + " ms");
        assertTrue(o.allocated() <= GgufFuzz.allocationBound(input.length, model), what + ": allocated " + o.allocated() + " bytes");
    }

    @Property(tries = 3000)
    void theReaderLoadsAMutatedFileOrNamesTheFieldAtFault(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int which) {
        GgufMutator m = new GgufMutator(Seeds.all().get(which));
        List<GgufMutator.Mutation> applied = new ArrayList<>();
        byte[] input = m.next(new Random(seed), applied);
        assertDocumented(GgufFuzz.check(input, "fuzz.gguf", false), input, false, applied.toString());
    }

    @Property(tries = 600)
    void theModelLoadsAMutatedFileOrNamesTheProblem(@ForAll long seed) {
        GgufMutator m = new GgufMutator(Seeds.sample("micro:q4_0"));
        List<GgufMutator.Mutation> applied = new ArrayList<>();
        byte[] input = m.next(new Random(seed), applied);
        assertDocumented(GgufFuzz.check(input, "fuzz.gguf", true), input, true, applied.toString());
    }

    /** Every truncation at a field boundary (and one byte either side of it) is rejected, naming the file. */
    @Property(tries = 1)
    void everyTruncationAtAFieldBoundaryIsRejected() {
        byte[] seed = Seeds.sample("micro:q4_0");
        GgufMutator m = new GgufMutator(seed);
        int checked = 0;
        for (long boundary : m.boundaries()) {
            for (long at = boundary - 1; at <= boundary + 1; at++) {
                if (at < 0 || at >= seed.length) continue;
                byte[] input = Arrays.copyOf(seed, (int) at);
                GgufFuzz.Outcome o = GgufFuzz.check(input, "cut.gguf", false);
                assertEquals(GgufFuzz.Verdict.REJECTED, o.verdict(), "truncated at " + at + ": " + o.error());
                checked++;
            }
        }
        assertTrue(checked > 3 * 1000, "the seed has thousands of field boundaries: " + checked);
    }

    /** A whole run: counts add up and a clean run reports no finding. */
    @Property(tries = 1)
    void aRunCountsEveryInput() {
        FuzzReport r = GgufFuzz.run(Seeds.all(), 2000, 7, false, null, null);
        assertEquals(2000, r.inputs());
        assertEquals(r.inputs(), r.accepted() + r.rejected() + r.unexpected());
        assertTrue(r.clean(), r.summary() + " " + r.findings());
        assertTrue(r.rejected() > r.inputs() / 2, "most mutations break the file: " + r.summary());
        assertEquals(GgufMutator.Mutation.values().length, r.byKind().size(), "every mutation ran: " + r.byKind());
    }
}
