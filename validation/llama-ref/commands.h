/*
 * The llama-ref subcommands and what they share: the parsed command line and small checks that
 * die with a message naming the flag.
 */
#ifndef LLAMA_REF_COMMANDS_H
#define LLAMA_REF_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Every flag of every subcommand; a subcommand reads only the ones it accepts (see llama-ref.c). */
typedef struct {
    const char *model, *tokens, *in, *out, *kv, *fa, *cache;
    long threads, n, batch, prefill, decode, reps, seed;
    bool no_bos, no_parse_special, json_lines, special, remove_special, vocab_only, verbose;
} options;

/* The value of a required flag, or death naming it. */
const char *require(const char *value, const char *flag);

/* value when it is at least min, or death naming the flag. */
long at_least(long value, long min, const char *flag);

FILE *open_out(const char *path);
void close_out(FILE *f, const char *path);

/* Dies naming `where` and the index of the first id outside [0, n_vocab). */
void check_ids(const int32_t *ids, size_t n, int32_t n_vocab, const char *where);

int cmd_logits(const options *o);     /* eval.c */
int cmd_greedy(const options *o);     /* eval.c */
int cmd_tokenize(const options *o);   /* vocab.c */
int cmd_detokenize(const options *o); /* vocab.c */
int cmd_bench(const options *o);      /* bench.c */

#endif
