/*
 * What every llama-ref subcommand shares: silenced logging, loading ggml's CPU backend from the
 * folder of the prebuilt libraries, and model and context creation with the settings spelled out.
 */
#ifndef LLAMA_REF_RUNTIME_H
#define LLAMA_REF_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "llama.h"

/* Prints "llama-ref: <message>" as one line on stderr and exits with status 1. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Monotonic wall clock in milliseconds. */
double now_ms(void);

/*
 * Routes llama.cpp's and ggml's log through our callback (to stderr only when verbose), loads the
 * best CPU backend variant for this machine from the folder holding libllama, and initialises
 * llama. Dies when no CPU backend loads.
 */
void runtime_init(bool verbose);

/* File name of the CPU backend variant that ggml loaded, e.g. "libggml-cpu-zen4.so". */
const char *runtime_cpu_backend(void);

/* Folder the llama.cpp libraries were loaded from. */
const char *runtime_lib_dir(void);

/*
 * How flash attention was resolved for the last context, read from llama.cpp's log:
 * "on", "off", or "unknown" when the log said nothing (as it does for an explicit on/off).
 */
const char *runtime_fa_resolved(void);

/* Loads a model on the CPU (no offload) or dies naming the file and llama.cpp's last error. */
struct llama_model *load_model(const char *path, bool vocab_only, double *load_ms);

typedef struct {
    uint32_t n_ctx;
    uint32_t n_batch;
    int32_t threads; /* used for both single-token and batch evaluation */
    enum ggml_type kv_type; /* type of both the K and V cache */
    enum llama_flash_attn_type flash_attn;
} context_settings;

/* Creates a single-sequence context with KV and ops kept on the CPU, or dies. */
struct llama_context *new_context(struct llama_model *model, context_settings s);

/*
 * Fills batch with count tokens of sequence 0 at positions pos0..pos0+count-1; logits are requested
 * for every token when all_logits, otherwise for the last only.
 */
void fill_batch(struct llama_batch *batch, const int32_t *ids, int32_t count, int32_t pos0, bool all_logits);

/* Runs llama_decode or dies naming the positions and the return code. */
void decode_or_die(struct llama_context *ctx, struct llama_batch batch);

#endif
