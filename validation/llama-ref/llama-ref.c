/*
 * llama-ref: the prebuilt llama.cpp of node-llama-cpp 3.21.1 behind a small command line, so that
 * Squall's validation suite and benchmarks can call an independent implementation.
 * Every subcommand prints machine-readable output; see README.md for the formats.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "llama.h"
#include "runtime.h"
#include "text.h"

enum flag_kind { TEXT, NUMBER, SWITCH };

static const struct flag {
    const char *name;
    enum flag_kind kind;
    size_t offset;
} FLAGS[] = {
    {"-m",                 TEXT,   offsetof(options, model)},
    {"--tokens",           TEXT,   offsetof(options, tokens)},
    {"--in",               TEXT,   offsetof(options, in)},
    {"--out",              TEXT,   offsetof(options, out)},
    {"--kv",               TEXT,   offsetof(options, kv)},
    {"--cache-type",       TEXT,   offsetof(options, cache)},
    {"--fa",               TEXT,   offsetof(options, fa)},
    {"-t",                 NUMBER, offsetof(options, threads)},
    {"-n",                 NUMBER, offsetof(options, n)},
    {"--batch",            NUMBER, offsetof(options, batch)},
    {"--prefill",          NUMBER, offsetof(options, prefill)},
    {"--decode",           NUMBER, offsetof(options, decode)},
    {"--reps",             NUMBER, offsetof(options, reps)},
    {"--seed",             NUMBER, offsetof(options, seed)},
    {"--no-bos",           SWITCH, offsetof(options, no_bos)},
    {"--no-parse-special", SWITCH, offsetof(options, no_parse_special)},
    {"--json-lines",       SWITCH, offsetof(options, json_lines)},
    {"--special",          SWITCH, offsetof(options, special)},
    {"--remove-special",   SWITCH, offsetof(options, remove_special)},
    {"--vocab-only",       SWITCH, offsetof(options, vocab_only)},
    {"-v",                 SWITCH, offsetof(options, verbose)},
};

const char *require(const char *value, const char *flag) {
    if (!value) {
        die("missing required flag %s", flag);
    }
    return value;
}

long at_least(long value, long min, const char *flag) {
    if (value < min) {
        die("%s must be at least %ld, got %ld", flag, min, value);
    }
    return value;
}

FILE *open_out(const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        die("--out: cannot write '%s': %s", path, strerror(errno));
    }
    return f;
}

void close_out(FILE *f, const char *path) {
    if (ferror(f) | fclose(f)) {
        die("--out: error writing '%s'", path);
    }
}

void check_ids(const int32_t *ids, size_t n, int32_t n_vocab, const char *where) {
    for (size_t i = 0; i < n; i++) {
        if (ids[i] >= n_vocab) {
            die("%s: token id %d at index %zu is outside the vocabulary [0, %d)", where, ids[i], i, n_vocab);
        }
    }
}

/* Facts about the model and about the llama.cpp build; --vocab-only leaves out the weights' shape. */
static int cmd_info(const options *o) {
    const char *path = require(o->model, "-m");
    struct llama_model *model = load_model(path, o->vocab_only, NULL);
    const struct llama_vocab *vocab = llama_model_get_vocab(model);
    char desc[256];
    llama_model_desc(model, desc, sizeof desc);
    const char *system_info = llama_print_system_info();
    buf_t json = {0};
    buf_add(&json, "{\"model\":", 9);
    json_escape(path, strlen(path), &json);
    buf_add(&json, ",\"desc\":", 8);
    json_escape(desc, strlen(desc), &json);
    buf_addf(&json, ",\"n_vocab\":%d,\"vocab_type\":%d,\"bos\":%d,\"eos\":%d,\"add_bos\":%s",
             llama_vocab_n_tokens(vocab), (int) llama_vocab_type(vocab), llama_vocab_bos(vocab),
             llama_vocab_eos(vocab), llama_vocab_get_add_bos(vocab) ? "true" : "false");
    if (!o->vocab_only) { /* the per-layer getters abort on a model without layers */
        buf_addf(&json, ",\"n_embd\":%d,\"n_layer\":%d,\"n_head\":%d,\"n_head_kv\":%d,\"n_ctx_train\":%d,"
                 "\"size\":%llu,\"n_params\":%llu,\"ftype\":\"%s\"",
                 llama_model_n_embd(model), llama_model_n_layer(model), llama_model_n_head(model),
                 llama_model_n_head_kv(model), llama_model_n_ctx_train(model),
                 (unsigned long long) llama_model_size(model), (unsigned long long) llama_model_n_params(model),
                 llama_ftype_name(llama_model_ftype(model)));
    }
    buf_addf(&json, ",\"llama_version\":\"%s\",\"ggml_version\":\"%s\",\"ggml_commit\":\"%s\",\"lib_dir\":",
             llama_version(), ggml_version(), ggml_commit());
    json_escape(runtime_lib_dir(), strlen(runtime_lib_dir()), &json);
    buf_addf(&json, ",\"cpu_backend\":\"%s\",\"system_info\":", runtime_cpu_backend());
    json_escape(system_info, strlen(system_info), &json);
    buf_addc(&json, '}');
    puts(json.data);
    buf_free(&json);
    llama_model_free(model);
    return 0;
}

static const struct command {
    const char *name;
    int (*run)(const options *);
    const char *flags; /* the flags it accepts, space-separated */
    const char *usage;
} COMMANDS[] = {
    {"logits", cmd_logits, "-m --tokens --out -t --batch --cache-type -v",
     "logits -m MODEL --tokens FILE|IDS --out FILE [-t T] [--batch B] [--cache-type f32|f16]"},
    {"greedy", cmd_greedy, "-m --tokens -n -t --batch -v",
     "greedy -m MODEL --tokens FILE|IDS -n N [-t T] [--batch B]"},
    {"tokenize", cmd_tokenize, "-m --in --out --no-bos --no-parse-special --json-lines -v",
     "tokenize -m MODEL --in FILE --out FILE [--json-lines] [--no-bos] [--no-parse-special]"},
    {"detokenize", cmd_detokenize, "-m --in --out --special --remove-special -v",
     "detokenize -m MODEL --in FILE --out FILE [--special] [--remove-special]"},
    {"bench", cmd_bench, "-m -t --prefill --decode --reps --kv --fa --seed -v",
     "bench -m MODEL [-t T] [--prefill 128] [--decode 128] [--reps 5] [--kv f32|f16] [--fa on|off|auto] [--seed 42]"},
    {"info", cmd_info, "-m --vocab-only -v", "info -m MODEL [--vocab-only]"},
};

#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *f) {
    fputs("usage: llama-ref COMMAND [flags] [-v]\n", f);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(f, "  llama-ref %s\n", COMMANDS[i].usage);
    }
    fputs("-t defaults to the number of online CPUs; -v shows llama.cpp's log on stderr\n", f);
}

static bool accepts(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
            return true;
        }
    }
    return false;
}

static void parse_flags(const struct command *cmd, int argc, char **argv, options *o) {
    for (int i = 2; i < argc; i++) {
        const struct flag *f = NULL;
        for (size_t k = 0; k < sizeof FLAGS / sizeof FLAGS[0]; k++) {
            if (strcmp(argv[i], FLAGS[k].name) == 0) {
                f = &FLAGS[k];
            }
        }
        if (!f || !accepts(cmd->flags, argv[i])) {
            die("%s: unknown flag '%s' (accepted: %s)", cmd->name, argv[i], cmd->flags);
        }
        char *field = (char *) o + f->offset;
        if (f->kind == SWITCH) {
            *(bool *) field = true;
            continue;
        }
        if (i + 1 >= argc) {
            die("flag %s needs a value", argv[i]);
        }
        const char *value = argv[++i];
        if (f->kind == TEXT) {
            *(const char **) field = value;
            continue;
        }
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end) {
            die("flag %s expects an integer, got '%s'", f->name, value);
        }
        *(long *) field = v;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    const struct command *cmd = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], COMMANDS[i].name) == 0) {
            cmd = &COMMANDS[i];
        }
    }
    if (!cmd) {
        die("unknown command '%s' (expected logits, greedy, tokenize, detokenize, bench or info)", argv[1]);
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    options o = {
        .threads = cpus > 0 ? cpus : 1, .n = -1, .prefill = 128, .decode = 128, .reps = 5, .seed = 42,
        .kv = "f16", .fa = "auto",
    };
    parse_flags(cmd, argc, argv, &o);
    at_least(o.threads, 1, "-t");
    if (cmd->run == cmd_greedy && o.n < 0) {
        die("missing required flag -n");
    }
    runtime_init(o.verbose);
    int rc = cmd->run(&o);
    llama_backend_free();
    return rc;
}
