package dev.squall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.SampleModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every command's flags out of range or of the wrong type: one line on stderr that names the flag
 * and the value, exit status 1 (a value Squall refuses) or 2 (one picocli cannot even parse), and
 * nothing run. {@code MODEL} in a row stands for a micro sample model.
 */
class FlagTableTest {

    @TempDir static Path dir;
    private static String model;

    @BeforeAll
    static void writeModel() {
        model = SampleModels.write("micro", WeightFormats.Q8_0, dir, null).toString();
        System.setIn(new java.io.ByteArrayInputStream(new byte[0]));   // a command that wrongly runs (chat) ends instead of waiting
        try {
            java.nio.file.Files.write(dir.resolve("bad.txt"), new byte[] {'o', 'k', (byte) 0xFF, 'x'});
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " ==> ", quoteCharacter = '"', textBlock = """
            generate -m MODEL -p x -n -2 ==> 1 ==> --n-predict -2 is out of range
            generate -m MODEL -p x -n many ==> 2 ==> Invalid value for option '--n-predict': 'many' is not an int
            generate -m MODEL -p x --temp NaN ==> 1 ==> --temp NaN is out of range
            generate -m MODEL -p x --temp hot ==> 2 ==> Invalid value for option '--temp': 'hot' is not a float
            generate -m MODEL -p x --top-k -3 ==> 1 ==> --top-k -3 is out of range
            generate -m MODEL -p x --top-p 1.5 ==> 1 ==> --top-p 1.5 is out of range
            generate -m MODEL -p x --min-p 2 ==> 1 ==> --min-p 2.0 is out of range
            generate -m MODEL -p x --repeat-penalty 0 ==> 1 ==> --repeat-penalty 0.0 is out of range
            generate -m MODEL -p x --repeat-last-n -5 ==> 1 ==> --repeat-last-n -5 is out of range
            generate -m MODEL -p x -t 0 ==> 1 ==> --threads 0 is out of range
            generate -m MODEL -p x -t 99999 ==> 1 ==> --threads 99999 is out of range
            generate -m MODEL -p x -c -1 ==> 1 ==> --ctx-size -1 is out of range
            generate -m MODEL -p x -b 0 ==> 1 ==> --batch-size 0 is out of range
            generate -m MODEL -p x --seed x ==> 2 ==> Invalid value for option '--seed': 'x' is not a long
            generate -m MODEL -p x --device gpu:9 ==> 1 ==> --device gpu:9
            generate -m MODEL -p x --weights q3_x ==> 1 ==> --weights unknown weight format 'q3_x'
            generate -m MODEL -p x --activations int4 ==> 1 ==> --activations int4: expected f32 or q8
            chat -m MODEL --activations q16 ==> 1 ==> --activations q16: expected f32 or q8
            bench -m MODEL --no-llama --activations f32,bf8 ==> 1 ==> --activations bf8: expected f32 or q8
            generate -m MODEL -p x --cache-type-k q8_0 ==> 1 ==> --cache-type-k q8_0: expected f32 or f16 (a quantized KV cache is not implemented)
            generate -m MODEL -p x --cache-type-v bf16 ==> 1 ==> --cache-type-v bf16: expected f32 or f16
            bench -m MODEL --no-llama --cache-type-v f8 ==> 1 ==> --cache-type-v f8: expected f32 or f16
            generate -m MODEL -p x --speculate nope ==> 1 ==> --speculate nope: unknown algorithm
            generate -m MODEL -p x --speculate lookup --draft-max 0 ==> 1 ==> --draft-max 0 is out of range
            generate -m MODEL -p x --speculate lookup --ngram-min x ==> 2 ==> Invalid value for option '--ngram-min': 'x' is not an int
            generate -m /nonexistent/model.gguf -p x ==> 1 ==> /nonexistent/model.gguf
            generate -m MODEL -p x --frobnicate ==> 2 ==> Unknown option: '--frobnicate'
            generate -m MODEL -f BADTEXT ==> 1 ==> --file BADTEXT: not UTF-8 text (byte 0xff at offset 2)
            generate -m MODEL -f /nonexistent.txt ==> 1 ==> --file /nonexistent.txt: no such file
            generate -m MODEL -p x --speculate lookahead --lookahead-corpus BADTEXT ==> 1 ==> --lookahead-corpus BADTEXT: not UTF-8 text
            generate -m MODEL -p x --superposed 1 ==> 1 ==> --superposed 1 is out of range (2 to 16 drafts)
            generate -m MODEL -p x --superposed 17 ==> 1 ==> --superposed 17 is out of range (2 to 16 drafts)
            generate -m MODEL -p x --superposed many ==> 2 ==> Invalid value for option '--superposed': 'many' is not an int
            generate -m MODEL -p x --superposed 3 --ngram /nonexistent.ngram ==> 1 ==> --ngram /nonexistent.ngram: no such file
            generate -m MODEL -p x --superposed 3 --ngram BADTEXT ==> 1 ==> --ngram BADTEXT: not a Squall n-gram file
            generate -m MODEL -p x --ngram /nonexistent.ngram ==> 1 ==> --ngram is for --superposed K
            generate -m MODEL -p x --superposed 3 --superposed-topk 0 ==> 1 ==> --superposed-topk 0 is out of range
            generate -m MODEL -p x --superposed 3 --ngram-weight 2 ==> 1 ==> --ngram-weight 2.0 is out of range
            generate -m MODEL -p x --superposed 3 -n -1 ==> 1 ==> --superposed needs a token count per draft: -n N (got -1)
            generate -m MODEL -p x --superposed 3 --speculate lookup ==> 1 ==> --superposed and --speculate: choose one
            ngram -m MODEL --corpus /nonexistent -o OUT ==> 1 ==> --corpus /nonexistent: no such file or folder
            ngram -m MODEL --corpus BADTEXT -o OUT ==> 1 ==> --corpus BADTEXT: not UTF-8 text
            ngram -m MODEL --corpus BADTEXT -o OUT --order 9 ==> 1 ==> --order 9 is out of range (1 to 8)
            ngram -m MODEL --corpus BADTEXT -o OUT --max-tokens -1 ==> 1 ==> --max-tokens -1 is out of range
            ngram -m MODEL --corpus BADTEXT -o OUT --exclude /nonexistent.txt ==> 1 ==> --exclude /nonexistent.txt: no such file
            ngram -m /nonexistent/model.gguf --corpus BADTEXT -o OUT ==> 1 ==> --model /nonexistent/model.gguf: no such file
            tokenize -m MODEL -f BADTEXT ==> 1 ==> --file BADTEXT: not UTF-8 text
            bench -m MODEL --speculate lookup --prompts BADTEXT ==> 1 ==> --prompts BADTEXT: not UTF-8 text
            chat -m MODEL -t 0 ==> 1 ==> --threads 0 is out of range
            chat -m MODEL --top-p 0 ==> 1 ==> --top-p 0.0 is out of range
            chat -m MODEL -n -7 ==> 1 ==> --n-predict -7 is out of range
            tokenize -m MODEL ==> 1 ==> -p
            logits -m MODEL --tokens 1,x -o OUT ==> 1 ==> --tokens
            logits -m MODEL --tokens 1,99999 -o OUT ==> 1 ==> 99999
            sample-model nano ==> 1 ==> nano
            sample-model micro --type q9 ==> 1 ==> q9
            quantize -m MODEL -o OUT --type q3_x ==> 1 ==> q3_x
            bench -m MODEL -r 0 ==> 1 ==> --reps 0 is out of range
            bench -m MODEL --decode 0 --no-llama ==> 1 ==> --decode 0 is out of range
            bench -m MODEL --llama-kv q4 ==> 1 ==> --llama-kv q4
            bench -m MODEL --speculate lookup --limit 0 ==> 1 ==> --limit 0 is out of range
            bench -m MODEL --speculate lookup --temp NaN ==> 1 ==> --temp NaN is out of range
            bench -m MODEL --speculate lookup --prompts /nonexistent.txt ==> 1 ==> --prompts /nonexistent.txt: no such file
            bench -m MODEL --superposed 1 ==> 1 ==> --superposed 1 is out of range (2 to 16 drafts)
            bench -m MODEL --superposed 3 --decode 1 ==> 1 ==> --decode 1 is out of range (at least 2 tokens per draft)
            bench -m MODEL --superposed 3 --ngram /nonexistent.ngram ==> 1 ==> --ngram /nonexistent.ngram: no such file
            bench -m MODEL --superposed 3 --speculate lookup ==> 1 ==> --superposed and --speculate: measure one at a time
            generate -m MODEL -p x --speculate medusa ==> 1 ==> --speculate medusa needs draft heads: --heads FILE
            generate -m MODEL -p x --speculate hydra --heads /nonexistent.gguf ==> 1 ==> --heads /nonexistent.gguf: no such file
            generate -m MODEL -p x --speculate lookup --heads BADTEXT ==> 1 ==> --heads is for --speculate medusa or hydra, not lookup
            generate -m MODEL -p x --speculate lookup --accept typical ==> 1 ==> --accept typical is for --speculate medusa or hydra, not lookup
            generate -m MODEL -p x --speculate medusa --heads BADTEXT --tree-nodes 65 ==> 1 ==> --tree-nodes 65 is out of range [1, 64]
            generate -m MODEL -p x --speculate medusa --heads BADTEXT --accept maybe ==> 1 ==> --accept maybe: unknown rule (expected exact or typical)
            generate -m MODEL -p x --speculate medusa --heads BADTEXT --accept typical --typical-epsilon 0 ==> 1 ==> --typical-epsilon 0.0 is out of range (0, 1)
            generate -m MODEL -p x --speculate medusa --heads MODEL ==> 1 ==> not a heads file (general.architecture is 'llama'
            bench -m MODEL --speculate medusa,hydra ==> 1 ==> --speculate medusa and hydra need draft heads: --heads FILE
            train-heads -m MODEL --corpus BADTEXT -o OUT --heads 9 ==> 1 ==> --heads 9 is out of range [1, 8]
            train-heads -m MODEL --corpus BADTEXT -o OUT --kind eagle ==> 1 ==> --kind unknown kind of heads 'eagle' (expected medusa or hydra)
            train-heads -m MODEL --corpus BADTEXT -o OUT --steps 0 ==> 1 ==> --steps 0 is out of range
            train-heads -m MODEL --corpus BADTEXT -o OUT --lr 2 ==> 1 ==> --lr 2.0 is out of range (0, 1)
            train-heads -m MODEL --corpus BADTEXT -o OUT --heldout 0.9 ==> 1 ==> --heldout 0.9 is out of range (0, 0.5)
            train-heads -m MODEL --corpus BADTEXT -o OUT --resume /nonexistent.gguf ==> 1 ==> --resume /nonexistent.gguf: no such file
            train-heads -m MODEL --corpus /nonexistent -o OUT ==> 1 ==> --corpus /nonexistent: no such file or folder
            train-heads -m MODEL --corpus BADTEXT -o OUT ==> 1 ==> --corpus BADTEXT: not UTF-8 text
            train-heads -m MODEL --corpus BADTEXT -o OUT --steps many ==> 2 ==> Invalid value for option '--steps': 'many' is not an int
            generate -m MODEL -p x --attention sparse ==> 1 ==> --attention sparse: unknown mode (expected dense or lm-infinite[:SINKS,WINDOW])
            generate -m MODEL -p x --attention lm-infinite:-1,64 ==> 1 ==> --attention lm-infinite:-1,64: SINKS -1 is out of range (0 or more)
            generate -m MODEL -p x --attention lm-infinite:4,0 ==> 1 ==> --attention lm-infinite:4,0: WINDOW 0 is out of range (1 or more)
            generate -m MODEL -p x --attention lm-infinite:4,wide ==> 1 ==> --attention lm-infinite:4,wide: WINDOW 'wide' is not a whole number
            generate -m MODEL -p x --attention lm-infinite:four,64 ==> 1 ==> --attention lm-infinite:four,64: SINKS 'four' is not a whole number
            generate -m MODEL -p x --attention lm-infinite:4 ==> 1 ==> --attention lm-infinite:4: expected lm-infinite:SINKS,WINDOW (two counts)
            generate -m MODEL -p x --attention dense,lm-infinite ==> 1 ==> --attention dense,lm-infinite: give one mode (a list is for 'squall perplexity')
            generate -m MODEL -p x --superposed 3 --attention lm-infinite ==> 1 ==> --attention lm-infinite: --superposed attends densely only
            chat -m MODEL --attention lm-infinite:4,-8 ==> 1 ==> --attention lm-infinite:4,-8: WINDOW -8 is out of range
            logits -m MODEL --tokens 1,2 -o OUT --attention window ==> 1 ==> --attention window: unknown mode
            train-heads -m MODEL --corpus BADTEXT -o OUT --attention lm-infinite ==> 1 ==> --attention lm-infinite: train-heads attends densely only
            serve -m MODEL --attention lm-infinite:4,64 ==> 1 ==> --attention lm-infinite:4,64: serve attends densely only
            perplexity -m MODEL --attention dense,lm-infinite:2,x ==> 1 ==> --attention lm-infinite:2,x: WINDOW 'x' is not a whole number
            perplexity -m MODEL --attention dense,full ==> 1 ==> --attention full: unknown mode
            perplexity -m MODEL -f BADTEXT --tokens 1 ==> 1 ==> --tokens 1 is out of range (at least 2)
            perplexity -m MODEL -f BADTEXT --bucket 0 ==> 1 ==> --bucket 0 is out of range
            perplexity -m MODEL -f BADTEXT --tokens 100000 ==> 1 ==> --tokens 100000 needs a context of 100000 positions, the context size is
            perplexity -m MODEL -f BADTEXT -n 8 ==> 1 ==> --file BADTEXT: not UTF-8 text
            perplexity -m MODEL --heldout /nonexistent.txt -n 8 ==> 1 ==> --heldout /nonexistent.txt: no such file
            serve -m MODEL --port 70000 ==> 1 ==> --port 70000 is out of range
            serve -m MODEL --parallel 0 ==> 1 ==> --parallel 0 is out of range
            serve -m MODEL --policy fifo ==> 1 ==> --policy: unknown scheduling policy 'fifo'
            bench-serve -m MODEL --clients 0 ==> 1 ==> --clients 0 is out of range
            bench-serve -m MODEL --requests -1 ==> 1 ==> --requests -1 is out of range
            bench-serve -m MODEL --prompt-tokens 9-3 ==> 1 ==> --prompt-tokens 9-3 is not a range
            bench-serve -m MODEL --output-tokens many ==> 1 ==> --output-tokens many is not a range
            bench-serve -m MODEL --policies serial,lifo ==> 1 ==> --policies: unknown scheduling policy 'lifo'
            bench-serve -m MODEL --queue 100 ==> 1 ==> --queue 100 is out of range
            validate --group nothing ==> 1 ==> --group nothing
            validate -t 0 ==> 1 ==> --threads 0 is out of range
            fuzz --target everything ==> 1 ==> --target everything
            fuzz --iterations 0 ==> 1 ==> --iterations 0 is out of range
            fuzz --iterations lots ==> 2 ==> Invalid value for option '--iterations': 'lots' is not a long
            context build -m MODEL --file BADTEXT -o OUT --centroids 0% ==> 1 ==> --centroids 0%: expected a percentage in (0%, 100%] such as 5%, or a whole count such as 256
            context build -m MODEL --file BADTEXT -o OUT --centroids 2.5 ==> 1 ==> --centroids 2.5: expected a percentage
            context build -m MODEL --file BADTEXT -o OUT --levels 3 ==> 1 ==> --levels must be 1 or 2, not 3
            context build -m MODEL --file BADTEXT -o OUT --sparsity 1.5 ==> 1 ==> --sparsity 1.5 is out of range (0 to 0.99)
            context build -m MODEL --file BADTEXT -o OUT ==> 1 ==> --file BADTEXT: not UTF-8 text
            context build -m MODEL --file BADTEXT -o OUT --device tornado:0:0 ==> 1 ==> context build runs on the Java backend
            context build -m MODEL -o OUT ==> 2 ==> Missing required option: '--file=TEXT'
            generate -m MODEL -p x --sparsity 0.5 ==> 1 ==> --sparsity 0.5 needs --context FILE
            generate -m MODEL -p x --context MODEL.missing ==> 1 ==> no such file
            generate -m MODEL -p x --context MODEL ==> 1 ==> not squall.context
            generate -m MODEL -p x --context BADTEXT ==> 1 ==> --context BADTEXT: not UTF-8 text
            generate -m MODEL -p x --context BADTEXT --sparsity 0.5 ==> 1 ==> --sparsity needs a context file
            generate -m MODEL -p x --context BADTEXT --sparsity 2 ==> 1 ==> --sparsity 2.0 is out of range (0 to 0.99)
            chat -m MODEL --sparsity 0.5 ==> 1 ==> --sparsity 0.5 needs --context FILE
            bench -m MODEL --context-lengths 1x ==> 1 ==> --context-lengths 1x: expected a token count of at least 2, such as 4096 or 4k
            bench -m MODEL --context-lengths 4k --sparsity 1 ==> 1 ==> --sparsity 1.0 is out of range (above 0, below 1)
            """)
    void aBadFlagIsOneLineNamingIt(String args, int exit, String expected) {
        String bad = dir.resolve("bad.txt").toString();
        String[] argv = args.replace("MODEL", model).replace("OUT", dir.resolve("out.bin").toString()).replace("BADTEXT", bad).split(" ");
        expected = expected.replace("BADTEXT", bad);
        StringWriter out = new StringWriter(), err = new StringWriter();
        picocli.CommandLine cl = Squall.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(argv);
        String[] lines = err.toString().strip().split("\n");
        String first = lines[0];
        assertEquals(exit, code, err.toString());
        String shown = exit == 2 ? first : lines[lines.length - 1];
        assertTrue(shown.contains(expected), "stderr: " + err);
        String command = argv[0].equals("context") ? argv[0] + " " + argv[1] : argv[0];
        if (exit == 1) assertTrue(shown.startsWith("squall " + command + ": error: "), "one error line: " + shown);
        assertEquals("", out.toString(), "nothing ran");
    }
}
