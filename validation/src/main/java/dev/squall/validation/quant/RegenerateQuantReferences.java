package dev.squall.validation.quant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.squall.validation.Context;
import dev.squall.validation.LlamaRef;
import dev.squall.validation.model.RegenerateReferences;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rewrites {@code validation/references/quant/}: for each target of {@link QuantParityModel}, the
 * model is generated and quantized by Squall, and llama.cpp (llama-ref, 1 thread, F32 KV cache,
 * flash attention off) computes the logits of every prompt position and 64 greedy tokens.
 * Arguments: target names (default: all). Run through {@code regenerate.sh} beside the references.
 */
public final class RegenerateQuantReferences {

    private RegenerateQuantReferences() {}

    public static void main(String[] args) throws Exception {
        Context context = new Context(Context.findHome(), Path.of("target", "quant-references").toAbsolutePath(), 1);
        LlamaRef llama = context.llamaRef();
        for (QuantParityModel.Target t : QuantParityModel.TARGETS) {
            if (args.length > 0 && !java.util.Arrays.asList(args).contains(t.name())) continue;
            Path gguf = QuantParityModel.write(context.work(), t);
            int[] prompt = QuantParityModel.prompt();
            LlamaRef.Logits logits = llama.logits(gguf, prompt, 1, context.work());
            int[] greedy = llama.greedy(gguf, prompt, QuantParityModel.GREEDY_STEPS, 1);
            ObjectNode info = (ObjectNode) llama.info(gguf);
            info.remove(RegenerateReferences.MACHINE_FIELDS);   // paths of this checkout: the files stay the same in any other
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("threads", 1);
            settings.put("kvCache", "f32");
            settings.put("flashAttention", "off");
            settings.put("greedySteps", QuantParityModel.GREEDY_STEPS);
            QuantReference ref = new QuantReference(QuantParityModel.modelName(t), QuantParityModel.sha256(gguf), prompt, greedy,
                    logits.positions(), logits.vocab(), logits.values(), info);
            Path dir = QuantParityCases.referenceDir(context, t);
            ref.write(dir, settings);
            System.out.println(dir + ": " + logits.positions() + " × " + logits.vocab() + " logits, greedy " + greedy.length);
        }
    }
}
