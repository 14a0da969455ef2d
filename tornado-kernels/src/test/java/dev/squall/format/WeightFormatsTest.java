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
    void allListsTheSevenFormatsPlainFloatsFirst() {
        assertEquals(List.of("F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"),
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
