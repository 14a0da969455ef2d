package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class WeightFormatsTest {

    static final List<WeightFormat> FORMATS = WeightFormats.all();

    @Test
    void allListsPlainFloatsThenGgmlQuantsThenFp4AndFp8() {
        assertEquals(List.of("F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K",
                        "MXFP4", "NVFP4", "MXFP8_E4M3", "MXFP8_E5M2", "FP8_E4M3", "FP8_E5M2"),
                WeightFormats.all().stream().map(WeightFormat::name).toList());
    }

    @ParameterizedTest
    @FieldSource("FORMATS")
    void forTypeFindsEachFormatByItsGgmlType(WeightFormat format) {
        GgmlType type = GgmlType.fromId(format.ggmlType()).orElseThrow();
        assertEquals(format.name(), type.name());
        assertEquals(Optional.of(format), WeightFormats.forType(type));
    }

    @ParameterizedTest
    @FieldSource("FORMATS")
    void blockLayoutIsGgmls(WeightFormat format) {
        GgmlType type = GgmlType.valueOf(format.name());
        assertEquals(type.blockElements(), format.blockElements(), "elements per block");
        assertEquals(type.blockBytes(), format.blockBytes(), "bytes per block");
    }

    @ParameterizedTest
    @FieldSource("FORMATS")
    void rowBytesAgreeWithTheGgufType(WeightFormat format) {
        GgmlType type = GgmlType.valueOf(format.name());
        for (long n : new long[] {256, 768}) assertEquals(type.rowBytes(n), format.rowBytes(n), "row of " + n);
    }

    @Test
    void squallsOwnTypesHaveIdsGgmlRejectsAndFp8RowsAScaleHeader() {
        for (GgmlType t : new GgmlType[] {GgmlType.MXFP8_E4M3, GgmlType.MXFP8_E5M2, GgmlType.FP8_E4M3, GgmlType.FP8_E5M2}) {
            assertTrue(t.id() >= GgmlType.SQUALL_FIRST_ID && !t.definedByGgml(), t.name());
            assertEquals(Optional.of(t), GgmlType.fromId(t.id()));
        }
        assertEquals(List.of(16384, 16385, 16386, 16387), List.of(GgmlType.MXFP8_E4M3.id(), GgmlType.MXFP8_E5M2.id(),
                GgmlType.FP8_E4M3.id(), GgmlType.FP8_E5M2.id()));
        assertTrue(GgmlType.MXFP4.definedByGgml() && GgmlType.NVFP4.definedByGgml());
        assertEquals(4 + 100, GgmlType.FP8_E5M2.rowBytes(100));
        assertEquals(0, GgmlType.Q8_0.rowHeaderBytes());
        assertEquals(Optional.empty(), GgmlType.fromId(43));
    }

    @Test
    void byNameTakesDashesForUnderscoresAndMxfp8ForE4m3() {
        assertSame(WeightFormats.FP8_E4M3, WeightFormats.byName("fp8-e4m3"));
        assertSame(WeightFormats.FP8_E5M2, WeightFormats.byName("FP8_E5M2"));
        assertSame(WeightFormats.MXFP8_E4M3, WeightFormats.byName("mxfp8"));
        assertSame(WeightFormats.MXFP8_E5M2, WeightFormats.byName("mxfp8-e5m2"));
        assertSame(WeightFormats.MXFP4, WeightFormats.byName("mxfp4"));
        assertSame(WeightFormats.NVFP4, WeightFormats.byName("NVFP4"));
    }

    @Test
    void forTypeIsEmptyForATypeSquallDoesNotComputeWith() {
        assertEquals(Optional.empty(), WeightFormats.forType(GgmlType.Q5_K));
        assertEquals(Optional.empty(), WeightFormats.forType(GgmlType.IQ2_XXS));
    }

    @Test
    void byNameIgnoresCase() {
        assertSame(WeightFormats.Q4_K, WeightFormats.byName("q4_k"));
        assertSame(WeightFormats.Q4_0, WeightFormats.byName("Q4_0"));
        assertSame(WeightFormats.BF16, WeightFormats.byName("Bf16"));
    }

    @Test
    void byNameRejectsAnUnknownNameListingTheSupportedOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> WeightFormats.byName("q3_k"));
        assertTrue(e.getMessage().contains("'q3_k'"), e.getMessage());
        for (WeightFormat f : FORMATS) {
            assertTrue(e.getMessage().contains(f.name().toLowerCase()), e.getMessage());
        }
    }

    @Test
    void rowBytesRejectsAPartialBlockNamingTheFormat() {
        var e = assertThrows(IllegalArgumentException.class, () -> WeightFormats.Q4_K.rowBytes(300));
        assertTrue(e.getMessage().contains("Q4_K") && e.getMessage().contains("300"), e.getMessage());
    }
}
