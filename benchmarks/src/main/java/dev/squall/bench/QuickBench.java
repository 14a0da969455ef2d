package dev.squall.bench;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.model.Model;
import java.nio.file.Path;
import java.util.Locale;

/** Steady-state prefill and decode speed of one model on the Java backend (a development aid). */
public final class QuickBench {
    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int prefill = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        if (Boolean.getBoolean("quick.bandwidth")) System.out.println("bandwidth " + Bandwidth.readGigabytesPerSecond(threads));
        try (Model m = Model.open(model); Plan p = m.compile(new JavaBackend(), PlanOptions.of(Math.max(512, prefill + 256), threads).withActivations(dev.squall.backend.Activations.parse(System.getProperty("quick.activations", "f32"))).withCacheTypes(dev.squall.backend.CacheType.parse("kv", System.getProperty("quick.kv", "f32")), dev.squall.backend.CacheType.parse("kv", System.getProperty("quick.kv", "f32"))))) {
            for (int i = 0; i < 2; i++) SquallRun.run(p, 128, 32, 1);
            for (int i = 0; i < reps; i++) {
                SquallRun.Timing t = SquallRun.run(p, prefill, 128, 2 + i);
                System.out.printf(Locale.ROOT, "%s prefill %.1f tok/s decode %.1f tok/s%n", model.getFileName(), prefill / t.prefillSeconds(), 128 / t.decodeSeconds());
            }
        }
    }
}
