package dev.squall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.SampleModels;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatCommandTest {

    @TempDir Path dir;

    @Test
    void pipedLinesAreTurnsOfOneConversation() {
        String model = SampleModels.write("micro", WeightFormats.F32, dir, null).toString();
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("Hi there\nHow are you?\n/exit\nignored\n".getBytes(StandardCharsets.UTF_8)));
            Launcher r = Launcher.run("chat", "-m", model, "-n", "6", "--temp", "0", "--system", "Be brief.");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.err().contains("chat template: "), r.err());
            assertEquals(2, r.err().lines().filter(l -> l.contains("| stop: ")).count(), "one report per turn: " + r.err());
        } finally {
            System.setIn(stdin);
        }
    }
}
