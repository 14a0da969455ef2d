package dev.squall.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.WeightFormats;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.sampling.Distribution;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The steppable session: rollback and rejection leave no trace, and a tree's logits are its branches'. */
class SessionTest {

    @TempDir static Path dir;
    static Model model;
    static Plan plan;

    @BeforeAll
    static void open() {
        model = Model.open(SampleModels.write("micro", WeightFormats.F32, dir, null));
        plan = model.compile(new JavaBackend(), PlanOptions.of(256, 2));
    }

    @AfterAll
    static void close() {
        plan.close();
        model.close();
    }

    private static Session session(SamplerConfig c) { return new Session(plan, model.tokenizer(), new Sampler(c)); }

    private static final int[] PROMPT = {1, 50, 60, 70, 80, 90};

    @Test
    void logitsAfterRollingBackRejectedTokensEqualARunThatNeverSawThem() {
        try (Session a = session(SamplerConfig.greedy()); Session b = session(SamplerConfig.greedy())) {
            a.append(PROMPT, 512);
            a.push(300);
            a.push(301);
            a.logits();
            a.rollback(PROMPT.length);
            a.push(400);
            b.append(PROMPT, 512);
            b.push(400);
            assertArrayEquals(b.logits(), a.logits());
            assertArrayEquals(b.tokens(), a.tokens());
        }
    }

    @Test
    void aRejectedTreeLeavesTheSessionAsIfNothingWasGuessed() {
        try (Session a = session(SamplerConfig.greedy()); Session b = session(SamplerConfig.greedy())) {
            a.append(PROMPT, 512);
            b.append(PROMPT, 512);
            a.startOutput(new GenerateOptions(10, SamplerConfig.greedy(), List.of(), 512), t -> {});
            b.startOutput(new GenerateOptions(10, SamplerConfig.greedy(), List.of(), 512), t -> {});
            DraftTree tree = new DraftTree();
            int x = tree.add(DraftTree.ROOT, 500);
            tree.add(x, 501);
            tree.add(DraftTree.ROOT, 502);
            Session.Evaluation e = a.evaluate(tree, null);
            assertArrayEquals(b.logits(), e.rootLogits(), "the root row is the plain next-token logits");
            int bonus = b.sampler().draw(b.distribution());
            a.accept(e, new int[0], bonus);
            b.commit(bonus);
            assertEquals(PROMPT.length, plan.cache().length(a.sequence()), "the guesses' cells are gone; the bonus is pending");
            assertArrayEquals(b.logits(), a.logits());
        }
    }

    @Test
    void aTreeNodesLogitsAreItsBranchFedAlone() {
        try (Session a = session(SamplerConfig.greedy()); Session b = session(SamplerConfig.greedy())) {
            a.append(PROMPT, 512);
            DraftTree tree = new DraftTree();
            int first = tree.add(DraftTree.ROOT, 500);
            tree.add(first, 501);
            int other = tree.add(DraftTree.ROOT, 502);
            int deep = tree.add(other, 503);
            Session.Evaluation e = a.evaluate(tree, null);
            b.append(PROMPT, 512);
            b.push(502);
            assertArrayEquals(b.logits(), e.logits(other));
            b.push(503);
            assertArrayEquals(b.logits(), e.logits(deep));
            a.startOutput(new GenerateOptions(10, SamplerConfig.greedy(), List.of(), 512), t -> {});
            a.accept(e, new int[] {other, deep}, 7);
            assertArrayEquals(new int[] {502, 503, 7}, a.output());
            b.push(7);
            assertArrayEquals(b.logits(), a.logits(), "the kept branch's cells moved behind the prompt");
        }
    }

    @Test
    void rollbackTakesThePenaltiesHistoryBack() {
        SamplerConfig penalised = new SamplerConfig(0.8f, 0, 1f, 0f, 1.5f, -1, 0.5f, 0.25f, 3);
        try (Session a = session(penalised); Session b = session(penalised)) {
            a.append(PROMPT, 512);
            a.push(300);
            a.push(300);
            a.rollback(PROMPT.length);
            b.append(PROMPT, 512);
            Distribution da = a.distribution(), db = b.distribution();
            assertEquals(db.size(), da.size());
            for (int i = 0; i < db.size(); i++) {
                assertEquals(db.token(i), da.token(i));
                assertEquals(db.probabilityAt(i), da.probabilityAt(i), 0.0);
            }
        }
    }

    @Test
    void rollbackReplaysTheOutputTextAndTheStopStringMatcher() {
        try (Session s = session(SamplerConfig.greedy())) {
            s.append(PROMPT, 512);
            List<String> shown = new ArrayList<>();
            int[] out = {300, 301, 302, 303};
            String full = model.tokenizer().decode(out, false);
            String stop = full.substring(full.length() - 2);
            s.startOutput(new GenerateOptions(10, SamplerConfig.greedy(), List.of(stop), 512), shown::add);
            for (int t : new int[] {300, 301, 302}) s.commit(t);
            String before = s.text();
            s.rollback(PROMPT.length + 1);
            s.commit(301);
            s.commit(302);
            assertEquals(before, s.text(), "the text after the rollback is replayed, not doubled");
            s.commit(303);
            assertEquals(StopReason.STOP_STRING, s.stopReason());
            assertEquals(full.substring(0, full.length() - 2), s.text());
            assertThrows(IllegalStateException.class, () -> s.commit(1), "nothing is committed after a stop");
        }
    }

    @Test
    void aForkSharesThePrefixAndGoesItsOwnWay() {
        try (Session a = session(SamplerConfig.greedy()); Session b = session(SamplerConfig.greedy())) {
            a.append(PROMPT, 512);
            float[] before = a.logits();
            try (Session f = a.fork(new Sampler(SamplerConfig.greedy()))) {
                assertArrayEquals(before, f.logits());
                f.push(77);
                b.append(PROMPT, 512);
                b.push(77);
                assertArrayEquals(b.logits(), f.logits());
                assertArrayEquals(before, a.logits(), "the parent is unaffected");
            }
        }
    }

    @Test
    void badRollbacksAndPathsAreNamed() {
        try (Session s = session(SamplerConfig.greedy())) {
            s.append(PROMPT, 512);
            assertThrows(IllegalArgumentException.class, () -> s.rollback(PROMPT.length + 1));
            DraftTree tree = DraftTree.chain(5, 6);
            Session.Evaluation e = s.evaluate(tree, null);
            s.startOutput(new GenerateOptions(10, SamplerConfig.greedy(), List.of(), 512), t -> {});
            assertThrows(IllegalArgumentException.class, () -> s.accept(e, new int[] {1}, 3), "node 1 is not a child of the root");
        }
    }
}
