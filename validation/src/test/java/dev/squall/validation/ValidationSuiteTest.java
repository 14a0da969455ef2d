package dev.squall.validation;

import static org.junit.jupiter.api.Assertions.fail;

import dev.squall.backend.Backends;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code mvn verify} runs the whole validation suite on every device present: one test per case;
 * UNSUPPORTED cases are reported as skipped. The JSON report lands in {@code target/}.
 */
class ValidationSuiteTest {

    private static final List<CaseResult> RESULTS = new ArrayList<>();

    @TestFactory
    Stream<DynamicTest> everyCaseOnEveryDevice() {
        Path home = Context.findHome();
        Context context = new Context(home, Path.of("target", "validation-work").toAbsolutePath(), 2);
        return Suite.cases(context, Backends.all(), Filter.ALL).stream().map(c -> DynamicTest.dynamicTest(
                c.group() + " " + c.device() + " " + c.name(), () -> {
                    CaseResult r = Suite.run(c, context);
                    synchronized (RESULTS) {
                        RESULTS.add(r);
                    }
                    switch (r.status()) {
                        case PASS -> { }
                        case UNSUPPORTED -> Assumptions.abort("UNSUPPORTED: " + r.detail());
                        case FAIL -> fail(r.measure() + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")"));
                    }
                }));
    }

    @AfterAll
    static void writeReport() throws Exception {
        Report.writeJson(Path.of("target", "validation-report.json"), RESULTS, Filter.ALL, Backends.all().stream().map(b -> b.id()).toList());
    }
}
