#define _GNU_SOURCE
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool g_verbose;
static char g_errors[1024];       /* error-level log lines since the last reset, joined by " / " */
static const char *g_fa_resolved = "unknown";
static char g_lib_dir[PATH_MAX];
static char g_cpu_backend[256];

void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("llama-ref: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

/* Appends one log message to g_errors as a single line. */
static void remember_error(const char *text) {
    size_t len = strlen(g_errors);
    if (len > 0 && len + 3 < sizeof g_errors) {
        strcat(g_errors, " / ");
        len += 3;
    }
    for (const char *p = text; *p && len + 1 < sizeof g_errors; p++) {
        if (*p != '\n') {
            g_errors[len++] = *p;
        }
    }
    g_errors[len] = '\0';
}

static void log_callback(enum ggml_log_level level, const char *text, void *user_data) {
    (void) user_data;
    if (level == GGML_LOG_LEVEL_ERROR) {
        remember_error(text);
    }
    /* llama_context resolves flash_attn = auto by probing the device; it says so only here. */
    if (strstr(text, "Flash Attention enabled")) {
        g_fa_resolved = "on";
    } else if (strstr(text, "Flash Attention not supported")) {
        g_fa_resolved = "off";
    }
    if (g_verbose) {
        fputs(text, stderr);
    }
}

static const char *errors_or(const char *fallback) {
    return g_errors[0] ? g_errors : fallback;
}

static int find_loaded(struct dl_phdr_info *info, size_t size, void *data) {
    (void) size;
    (void) data;
    const char *path = info->dlpi_name;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "libllama.", 9) == 0 && !g_lib_dir[0]) {
        size_t n = (size_t) (base - path);
        if (n > 1 && n < sizeof g_lib_dir) {
            memcpy(g_lib_dir, path, n - 1); /* without the trailing '/' */
            g_lib_dir[n - 1] = '\0';
        }
    } else if (strncmp(base, "libggml-cpu", 11) == 0) {
        snprintf(g_cpu_backend, sizeof g_cpu_backend, "%s", base);
    }
    return 0;
}

void runtime_init(bool verbose) {
    g_verbose = verbose;
    llama_log_set(log_callback, NULL);

    /*
     * ggml looks for its backends (libggml-cpu-<variant>.so) next to the executable and in the
     * working folder; ours live next to libllama, which the dynamic loader found via our rpath.
     * Among the variants ggml keeps the one whose ggml_backend_score is highest on this CPU.
     */
    dl_iterate_phdr(find_loaded, NULL);
    if (!g_lib_dir[0]) {
        die("cannot tell which folder libllama was loaded from (no libllama.* among the loaded objects)");
    }
    char resolved[PATH_MAX];
    if (realpath(g_lib_dir, resolved)) {
        snprintf(g_lib_dir, sizeof g_lib_dir, "%s", resolved);
    }
    ggml_backend_load_all_from_path(g_lib_dir);
    llama_backend_init();
    dl_iterate_phdr(find_loaded, NULL);
    if (!ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU) || !g_cpu_backend[0]) {
        die("no CPU backend loaded from %s: expected a libggml-cpu-*.so there that runs on this CPU (%s)",
            g_lib_dir, errors_or("ggml logged no error"));
    }
}

const char *runtime_cpu_backend(void) {
    return g_cpu_backend;
}

const char *runtime_lib_dir(void) {
    return g_lib_dir;
}

const char *runtime_fa_resolved(void) {
    return g_fa_resolved;
}

struct llama_model *load_model(const char *path, bool vocab_only, double *load_ms) {
    if (access(path, R_OK) != 0) {
        die("-m: cannot read model file '%s': %s", path, strerror(errno));
    }
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.vocab_only = vocab_only;
    g_errors[0] = '\0';
    double t0 = now_ms();
    struct llama_model *model = llama_model_load_from_file(path, mp);
    double t1 = now_ms();
    if (!model) {
        die("cannot load model '%s': %s", path, errors_or("llama_model_load_from_file returned NULL"));
    }
    if (load_ms) {
        *load_ms = t1 - t0;
    }
    return model;
}

struct llama_context *new_context(struct llama_model *model, context_settings s) {
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = s.n_ctx;
    cp.n_batch = s.n_batch;
    cp.n_seq_max = 1;
    cp.n_threads = s.threads;
    cp.n_threads_batch = s.threads;
    cp.type_k = s.kv_type;
    cp.type_v = s.kv_type;
    cp.flash_attn_type = s.flash_attn;
    cp.offload_kqv = false;
    cp.op_offload = false;
    cp.no_perf = true;
    g_errors[0] = '\0';
    g_fa_resolved = "unknown";
    struct llama_context *ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        die("cannot create a context (n_ctx %u, n_batch %u, kv %s, flash_attn %s): %s", s.n_ctx, s.n_batch,
            ggml_type_name(s.kv_type), llama_flash_attn_type_name(s.flash_attn),
            errors_or("llama_init_from_model returned NULL"));
    }
    if (s.flash_attn != LLAMA_FLASH_ATTN_TYPE_AUTO) {
        g_fa_resolved = s.flash_attn == LLAMA_FLASH_ATTN_TYPE_ENABLED ? "on" : "off";
    }
    return ctx;
}

void decode_or_die(struct llama_context *ctx, struct llama_batch batch) {
    g_errors[0] = '\0';
    int32_t rc = llama_decode(ctx, batch);
    if (rc != 0) {
        int32_t first = batch.pos ? batch.pos[0] : -1;
        int32_t last = batch.pos ? batch.pos[batch.n_tokens - 1] : -1;
        die("llama_decode of %d tokens at positions %d..%d returned %d: %s", batch.n_tokens, first, last, rc,
            errors_or("llama.cpp logged no error"));
    }
}

void fill_batch(struct llama_batch *batch, const int32_t *ids, int32_t count, int32_t pos0, bool all_logits) {
    batch->n_tokens = count;
    for (int32_t i = 0; i < count; i++) {
        batch->token[i] = ids[i];
        batch->pos[i] = pos0 + i;
        batch->n_seq_id[i] = 1;
        batch->seq_id[i][0] = 0;
        batch->logits[i] = all_logits || i == count - 1;
    }
}
