package dev.squall.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The inputs the fuzzer found (src/test/resources/fuzz/regressions.txt): each is now rejected with an error that names the file and the problem. */
class GgufRegressionTest {

    record Regression(String name, String seed, String changes, String expected) {
        @Override public String toString() { return name; }
    }

    static Stream<Regression> regressions() throws IOException {
        List<Regression> out = new ArrayList<>();
        try (InputStream in = GgufRegressionTest.class.getResourceAsStream("/fuzz/regressions.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split(" \\| ");
                out.add(new Regression(f[0].trim(), f[1].trim(), f[2].trim(), f[3].trim()));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("regressions")
    void isRejectedByName(Regression r) {
        byte[] input = Seeds.sample(r.seed()).clone();
        for (String change : r.changes().split(" ")) {
            int colon = change.indexOf(':'), arrow = change.indexOf('>');
            int at = Integer.parseInt(change.substring(0, colon));
            int old = Integer.parseInt(change.substring(colon + 1, arrow), 16), now = Integer.parseInt(change.substring(arrow + 1), 16);
            assertEquals(old, input[at] & 0xFF, "the seed " + r.seed() + " changed at byte " + at + ": regenerate the regression");
            input[at] = (byte) now;
        }
        boolean model = r.name().startsWith("model");
        GgufFuzz.Outcome o = GgufFuzz.check(input, r.name() + ".gguf", model);
        assertEquals(GgufFuzz.Verdict.REJECTED, o.verdict(), String.valueOf(o.error()));
        assertTrue(o.error().getMessage().startsWith(r.name() + ".gguf: ") && o.error().getMessage().contains(r.expected()), o.error().getMessage());
    }
}
