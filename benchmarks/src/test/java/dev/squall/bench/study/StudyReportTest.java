package dev.squall.bench.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The study's verdicts on hand-made results: which split wins, whether finer blocks help. */
class StudyReportTest {

    /** KL = base · factor^(index of the block size), for every element format. */
    private static QuantStudy.Result result(java.util.function.ToDoubleFunction<String> base, double factor) {
        List<QuantStudy.GridPoint> grid = new ArrayList<>();
        String[] gs = {"16", "32", "64", "128", "row"};
        for (var e : QuantStudy.ELEMENTS) {
            for (int i = 0; i < gs.length; i++) {
                grid.add(new QuantStudy.GridPoint(e.name(), e.bits(), e.exponentBits(), e.mantissaBits(), gs[i], 8,
                        0, base.applyAsDouble(e.name()) * Math.pow(factor, i), 1));
            }
        }
        return new QuantStudy.Result(new QuantStudy.Settings(Path.of("m.gguf"), 8, 1, 1, 1), "m", 0, 64, 10, 0, grid, List.of(), 0);
    }

    @Test
    void exponentHeavySplitsThatWinEverywhereMakeTheFirstFindingHold() {
        var r = result(e -> e.equals("E4M3") || e.equals("E5M2") || e.equals("E2M1") ? 1 : 2, 1.1);
        StudyReport.Finding f = StudyReport.findings(r).get(0);
        assertTrue(f.holds(), f.evidence());
        assertEquals("E5M2 beats E2M5 at 5 of 5 granularities; E4M3 beats E3M4 at 5 of 5 granularities; E2M1 beats E1M2 at 5 of 5 granularities",
                f.evidence());
    }

    @Test
    void mantissaHeavySplitsThatWinMakeItFail() {
        var r = result(e -> e.equals("E3M4") || e.equals("E2M5") ? 1 : 2, 1.1);
        assertFalse(StudyReport.findings(r).get(0).holds());
    }

    @Test
    void klGrowingWithTheBlockSizeMakesTheSecondFindingHoldAndShrinkingMakesItFail() {
        assertTrue(StudyReport.findings(result(e -> 1, 1.5)).get(1).holds());
        assertFalse(StudyReport.findings(result(e -> 1, 0.5)).get(1).holds());
    }
}
