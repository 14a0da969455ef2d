package dev.squall.validation.op;

import dev.squall.backend.OpKernels;
import dev.squall.format.WeightFormat;
import dev.squall.validation.Context;
import dev.squall.validation.ValidationCase;
import java.util.Optional;

/**
 * One operator case on one device: skipped as UNSUPPORTED when the device says it lacks the
 * operator for the format, otherwise the body computes oracle and device results and judges them.
 */
record OpCase(String name, OpKernels kernels, String op, WeightFormat format, Body body) implements ValidationCase {

    @FunctionalInterface
    interface Body {
        Outcome run(OpKernels kernels);
    }

    @Override public String group() { return "op"; }

    @Override public String device() { return kernels.device(); }

    @Override public String subject() { return op; }

    @Override public Outcome run(Context context) {
        Optional<String> why = kernels.unsupported(op, format);
        if (why.isPresent()) return Outcome.unsupported(why.get());
        return body.run(kernels);
    }

    /** The verdict on a guarded output: guards intact, no NaN or stray infinity, NMSE within the threshold. */
    static Outcome judge(float[] expected, Guarded actual, double threshold) {
        if (actual.brokenGuard() >= 0) return Outcome.fail("guard broken", actual.describeBroken());
        Nmse e = Nmse.of(expected, actual.values());
        if (e.problem() != null) return Outcome.fail("NMSE " + e.value(), e.problem());
        return Outcome.judge(e.within(threshold), e.describe(threshold), "above the threshold derived for this case");
    }
}
