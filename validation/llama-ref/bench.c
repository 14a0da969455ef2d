/*
 * bench: model load time, prefill and decode throughput, in the manner of llama-bench, at settings
 * chosen on the command line (KV cache type, flash attention, threads).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "llama.h"
#include "runtime.h"
#include "text.h"

/* splitmix64: the bench's token ids depend only on --seed. */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static double median(const double *values, long n) {
    double *sorted = malloc((size_t) n * sizeof *sorted);
    memcpy(sorted, values, (size_t) n * sizeof *sorted);
    qsort(sorted, (size_t) n, sizeof *sorted, compare_doubles);
    double m = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    free(sorted);
    return m;
}

/* A tokens-per-second figure; null when nothing was timed. */
static void add_rate(buf_t *json, double rate) {
    if (rate == rate) {
        buf_addf(json, "%.2f", rate);
    } else {
        buf_add(json, "null", 4);
    }
}

typedef struct {
    struct llama_context *ctx;
    struct llama_batch batch;
    const int32_t *prompt, *generated;
    int32_t n_prefill;
} bench_run;

/* One repetition from an empty KV cache: the timed prefill, then n_decode timed single-token steps. */
static void bench_once(const bench_run *b, int32_t n_decode, double *prefill_ms, double *decode_ms) {
    struct llama_batch batch = b->batch;
    llama_memory_clear(llama_get_memory(b->ctx), true);
    fill_batch(&batch, b->prompt, b->n_prefill, 0, false);
    double t0 = now_ms();
    decode_or_die(b->ctx, batch);
    llama_synchronize(b->ctx);
    double t1 = now_ms();
    for (int32_t i = 0; i < n_decode; i++) {
        fill_batch(&batch, b->generated + i, 1, b->n_prefill + i, true);
        decode_or_die(b->ctx, batch);
        llama_synchronize(b->ctx);
    }
    double t2 = now_ms();
    *prefill_ms = t1 - t0;
    *decode_ms = t2 - t1;
}

static enum ggml_type parse_kv(const char *kv) {
    if (strcmp(kv, "f32") == 0) return GGML_TYPE_F32;
    if (strcmp(kv, "f16") == 0) return GGML_TYPE_F16;
    die("--kv must be f32 or f16, got '%s'", kv);
}

static enum llama_flash_attn_type parse_fa(const char *fa) {
    if (strcmp(fa, "on") == 0) return LLAMA_FLASH_ATTN_TYPE_ENABLED;
    if (strcmp(fa, "off") == 0) return LLAMA_FLASH_ATTN_TYPE_DISABLED;
    if (strcmp(fa, "auto") == 0) return LLAMA_FLASH_ATTN_TYPE_AUTO;
    die("--fa must be on, off or auto, got '%s'", fa);
}

int cmd_bench(const options *o) {
    int32_t n_prefill = (int32_t) at_least(o->prefill, 1, "--prefill");
    int32_t n_decode = (int32_t) at_least(o->decode, 0, "--decode");
    long reps = at_least(o->reps, 1, "--reps");
    enum ggml_type kv = parse_kv(o->kv);
    enum llama_flash_attn_type fa = parse_fa(o->fa);
    const char *path = require(o->model, "-m");
    double load_ms;
    struct llama_model *model = load_model(path, false, &load_ms);
    int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));

    uint64_t state = (uint64_t) o->seed;
    int32_t *ids = malloc((size_t) (n_prefill + n_decode) * sizeof *ids);
    for (int32_t i = 0; i < n_prefill + n_decode; i++) {
        ids[i] = (int32_t) (next_random(&state) % (uint64_t) n_vocab);
    }
    context_settings settings = {
        .n_ctx = (uint32_t) (n_prefill + n_decode), .n_batch = (uint32_t) n_prefill,
        .threads = (int32_t) o->threads, .kv_type = kv, .flash_attn = fa,
    };
    bench_run run = {
        .ctx = new_context(model, settings), .batch = llama_batch_init(n_prefill, 0, 1),
        .prompt = ids, .generated = ids + n_prefill, .n_prefill = n_prefill,
    };
    double *prefill_tps = malloc((size_t) reps * sizeof *prefill_tps);
    double *decode_tps = malloc((size_t) reps * sizeof *decode_tps);
    double prefill_ms, decode_ms;
    bench_once(&run, n_decode > 0 ? 1 : 0, &prefill_ms, &decode_ms); /* warm-up, not reported */

    buf_t json = {0}, desc_json = {0};
    char desc[256];
    llama_model_desc(model, desc, sizeof desc);
    json_escape(desc, strlen(desc), &desc_json);
    buf_add(&json, "{\"model\":", 9);
    json_escape(path, strlen(path), &json);
    buf_addf(&json, ",\"desc\":%s,\"size\":%llu,\"n_params\":%llu,\"threads\":%ld,\"kv\":\"%s\",\"fa\":\"%s\","
             "\"fa_resolved\":\"%s\",\"n_ctx\":%u,\"prefill\":%d,\"decode\":%d,\"seed\":%ld,"
             "\"cpu_backend\":\"%s\",\"load_ms\":%.3f,\"reps\":[",
             desc_json.data, (unsigned long long) llama_model_size(model),
             (unsigned long long) llama_model_n_params(model), o->threads, o->kv, o->fa, runtime_fa_resolved(),
             llama_n_ctx(run.ctx), n_prefill, n_decode, o->seed, runtime_cpu_backend(), load_ms);
    for (long r = 0; r < reps; r++) {
        bench_once(&run, n_decode, &prefill_ms, &decode_ms);
        prefill_tps[r] = n_prefill / (prefill_ms / 1e3);
        decode_tps[r] = n_decode > 0 ? n_decode / (decode_ms / 1e3) : NAN; /* printed as null */
        buf_addf(&json, "%s{\"prefill_ms\":%.3f,\"prefill_tps\":%.2f,\"decode_ms\":%.3f,\"decode_tps\":",
                 r ? "," : "", prefill_ms, prefill_tps[r], decode_ms);
        add_rate(&json, decode_tps[r]);
        buf_addc(&json, '}');
    }
    buf_addf(&json, "],\"median_prefill_tps\":%.2f,\"median_decode_tps\":", median(prefill_tps, reps));
    add_rate(&json, median(decode_tps, reps));
    buf_addc(&json, '}');
    puts(json.data);

    buf_free(&json);
    buf_free(&desc_json);
    free(prefill_tps);
    free(decode_tps);
    free(ids);
    llama_batch_free(run.batch);
    llama_free(run.ctx);
    llama_model_free(model);
    return 0;
}
