package dev.squall.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.cli.Squall;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code squall fuzz}: a short run of each target prints its counts and exits 0 when no property broke. */
class FuzzCommandTest {

    @TempDir Path keep;

    private record Run(int code, String out, String err) {}

    private Run fuzz(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        picocli.CommandLine cl = Squall.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = "fuzz";
        all[1] = "--keep";
        all[2] = keep.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return new Run(cl.execute(all), out.toString(), err.toString());
    }

    @Test
    void eachTargetPrintsItsCounts() {
        for (String target : new String[] {"gguf", "model"}) {
            Run r = fuzz("--target", target, "--iterations", "400", "--seed", "3");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().startsWith("fuzz " + target + ": 400 inputs in "), r.out());
            assertTrue(r.out().contains(" 0 unexpected, 0 over the time bound, 0 over the allocation bound"), r.out());
        }
        Run t = fuzz("--target", "template", "--iterations", "4");
        assertEquals(0, t.code(), t.out() + t.err());
        assertTrue(t.out().startsWith("fuzz template: 4 inputs"), t.out());
    }

    @Test
    void everyTokenizerIsFuzzed() {
        Run r = fuzz("--target", "tokenizer", "--iterations", "200");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fuzz tokenizer sample: 200 inputs")), r.out());
        assertTrue(r.out().lines().allMatch(l -> l.contains(" 0 unexpected")), r.out());
    }
}
