/*
 * logits and greedy: llama.cpp's forward pass at the reference settings (F32 KV cache, flash
 * attention off, everything on the CPU), one sequence at positions 0..n-1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "llama.h"
#include "runtime.h"
#include "text.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "logits files are written as native float32 and must be little-endian"
#endif

/* --tokens names a file when one exists at that path; otherwise it is the list itself. */
static int32_t *read_tokens(const char *arg, size_t *n) {
    buf_t text = {0};
    const char *src = arg;
    size_t len = strlen(arg);
    if (access(arg, F_OK) == 0) {
        if (read_file(arg, &text)) {
            die("--tokens: cannot read '%s': %s", arg, strerror(errno));
        }
        src = text.data;
        len = text.len;
    }
    int32_t *ids = NULL;
    char err[200];
    if (parse_token_list(src, len, &ids, n, err, sizeof err)) {
        die("--tokens: '%s' is neither an existing file nor a list of token ids: %s", arg, err);
    }
    if (*n == 0) {
        die("--tokens: '%s' holds no token ids", arg);
    }
    buf_free(&text);
    return ids;
}

/* --batch when it is given and smaller than n, else n: the whole sequence in one llama_decode. */
static uint32_t batch_size(const options *o, size_t n) {
    return (uint32_t) (o->batch > 0 && (size_t) o->batch < n ? (size_t) o->batch : n);
}

/* The reference settings for numerics: F32 KV cache, no flash attention, everything on the CPU. */
static context_settings reference_settings(uint32_t n_ctx, uint32_t n_batch, long threads) {
    return (context_settings) {
        .n_ctx = n_ctx, .n_batch = n_batch, .threads = (int32_t) threads,
        .kv_type = GGML_TYPE_F32, .flash_attn = LLAMA_FLASH_ATTN_TYPE_DISABLED,
    };
}

/* --cache-type of logits: the KV cache type, F32 (the reference settings) when absent. */
static enum ggml_type cache_type(const char *name) {
    if (name == NULL || strcmp(name, "f32") == 0) return GGML_TYPE_F32;
    if (strcmp(name, "f16") == 0) return GGML_TYPE_F16;
    die("--cache-type must be f32 or f16, got '%s'", name);
    return GGML_TYPE_F32;
}

int cmd_logits(const options *o) {
    size_t n;
    int32_t *ids = read_tokens(require(o->tokens, "--tokens"), &n);
    const char *out_path = require(o->out, "--out");
    struct llama_model *model = load_model(require(o->model, "-m"), false, NULL);
    int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    check_ids(ids, n, n_vocab, "--tokens");
    uint32_t n_batch = batch_size(o, n);
    context_settings settings = reference_settings((uint32_t) n, n_batch, o->threads);
    settings.kv_type = cache_type(o->cache);
    struct llama_context *ctx = new_context(model, settings);
    struct llama_batch batch = llama_batch_init((int32_t) n_batch, 0, 1);
    FILE *out = open_out(out_path);
    for (size_t start = 0; start < n; start += n_batch) {
        int32_t count = (int32_t) (n - start < n_batch ? n - start : n_batch);
        fill_batch(&batch, ids + start, count, (int32_t) start, true);
        decode_or_die(ctx, batch);
        for (int32_t i = 0; i < count; i++) {
            const float *row = llama_get_logits_ith(ctx, i);
            if (!row) {
                die("no logits for position %zu", start + (size_t) i);
            }
            fwrite(row, sizeof(float), (size_t) n_vocab, out);
        }
    }
    close_out(out, out_path);
    printf("{\"positions\":%zu,\"vocab\":%d,\"n_ctx\":%u,\"n_batch\":%u,\"threads\":%ld}\n", n, n_vocab,
           llama_n_ctx(ctx), n_batch, o->threads);
    llama_batch_free(batch);
    llama_free(ctx);
    llama_model_free(model);
    free(ids);
    return 0;
}

/* Index of the largest logit, the lowest index among ties; dies on NaN. */
static int32_t argmax(const float *row, int32_t n_vocab, long step) {
    if (!row) {
        die("greedy step %ld: llama.cpp returned no logits", step);
    }
    int32_t best = 0;
    for (int32_t i = 0; i < n_vocab; i++) {
        if (row[i] != row[i]) {
            die("greedy step %ld: logit of token %d is NaN", step, i);
        }
        if (row[i] > row[best]) {
            best = i;
        }
    }
    return best;
}

int cmd_greedy(const options *o) {
    size_t n;
    int32_t *prompt = read_tokens(require(o->tokens, "--tokens"), &n);
    long steps = at_least(o->n, 0, "-n");
    struct llama_model *model = load_model(require(o->model, "-m"), false, NULL);
    int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    check_ids(prompt, n, n_vocab, "--tokens");
    uint32_t n_batch = batch_size(o, n);
    struct llama_context *ctx = new_context(model,
                                            reference_settings((uint32_t) (n + (size_t) steps), n_batch, o->threads));
    struct llama_batch batch = llama_batch_init((int32_t) n_batch, 0, 1);
    for (size_t start = 0; start < n; start += n_batch) {
        int32_t count = (int32_t) (n - start < n_batch ? n - start : n_batch);
        fill_batch(&batch, prompt + start, count, (int32_t) start, false);
        decode_or_die(ctx, batch);
    }
    buf_t json = {0};
    buf_add(&json, "{\"tokens\":[", 11);
    for (long step = 0; step < steps; step++) {
        int32_t next = argmax(llama_get_logits_ith(ctx, -1), n_vocab, step);
        buf_addf(&json, step ? ",%d" : "%d", next);
        if (step + 1 < steps) {
            fill_batch(&batch, &next, 1, (int32_t) (n + (size_t) step), true);
            decode_or_die(ctx, batch);
        }
    }
    buf_add(&json, "]}", 2);
    puts(json.data);
    buf_free(&json);
    llama_batch_free(batch);
    llama_free(ctx);
    llama_model_free(model);
    free(prompt);
    return 0;
}
