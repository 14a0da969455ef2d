/*
 * tokenize and detokenize: llama.cpp's tokenizer from a vocab-only load, one text or one list of
 * token ids per line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "llama.h"
#include "runtime.h"
#include "text.h"

/* Splits text into lines at '\n'; a final '\n' ends the last line rather than starting an empty one. */
typedef struct {
    const char *p, *end;
} line_reader;

static bool next_line(line_reader *r, const char **line, size_t *len) {
    if (r->p >= r->end) {
        return false;
    }
    const char *nl = memchr(r->p, '\n', (size_t) (r->end - r->p));
    *line = r->p;
    *len = (size_t) ((nl ? nl : r->end) - r->p);
    r->p = nl ? nl + 1 : r->end;
    return true;
}

static void read_input(const char *path, buf_t *text) {
    if (read_file(path, text)) {
        die("--in: cannot read '%s': %s", path, strerror(errno));
    }
}

int cmd_tokenize(const options *o) {
    const char *in_path = require(o->in, "--in"), *out_path = require(o->out, "--out");
    struct llama_model *model = load_model(require(o->model, "-m"), true, NULL);
    const struct llama_vocab *vocab = llama_model_get_vocab(model);
    buf_t input = {0}, text = {0}, json = {0};
    read_input(in_path, &input);
    FILE *out = open_out(out_path);
    line_reader lines = {input.data, input.data + input.len};
    const char *line;
    size_t len, count = 0;
    int32_t *ids = NULL;
    int32_t cap = 0;
    while (next_line(&lines, &line, &len)) {
        count++;
        text.len = 0;
        if (o->json_lines) {
            char err[200];
            if (json_unescape(line, len, &text, err, sizeof err)) {
                die("--in '%s' line %zu: %s", in_path, count, err);
            }
        } else {
            buf_add(&text, line, len);
        }
        int32_t got;
        for (;;) {
            got = llama_tokenize(vocab, text.data ? text.data : "", (int32_t) text.len, ids, cap,
                                 !o->no_bos, !o->no_parse_special);
            if (got >= 0) {
                break;
            }
            if (got == INT32_MIN) {
                die("--in '%s' line %zu: llama_tokenize overflowed int32", in_path, count);
            }
            cap = -got;
            ids = realloc(ids, (size_t) cap * sizeof *ids);
            if (!ids) {
                die("out of memory for %d token ids", cap);
            }
        }
        json.len = 0;
        buf_addc(&json, '[');
        for (int32_t i = 0; i < got; i++) {
            buf_addf(&json, i ? ",%d" : "%d", ids[i]);
        }
        buf_add(&json, "]\n", 2);
        fwrite(json.data, 1, json.len, out);
    }
    close_out(out, out_path);
    printf("{\"lines\":%zu}\n", count);
    buf_free(&input);
    buf_free(&text);
    buf_free(&json);
    free(ids);
    llama_model_free(model);
    return 0;
}

int cmd_detokenize(const options *o) {
    const char *in_path = require(o->in, "--in"), *out_path = require(o->out, "--out");
    struct llama_model *model = load_model(require(o->model, "-m"), true, NULL);
    const struct llama_vocab *vocab = llama_model_get_vocab(model);
    int32_t n_vocab = llama_vocab_n_tokens(vocab);
    buf_t input = {0}, json = {0};
    read_input(in_path, &input);
    FILE *out = open_out(out_path);
    line_reader lines = {input.data, input.data + input.len};
    const char *line;
    size_t len, count = 0;
    char *chars = NULL;
    int32_t cap = 0;
    while (next_line(&lines, &line, &len)) {
        count++;
        int32_t *ids = NULL;
        size_t n = 0;
        char err[200], where[64];
        if (parse_token_list(line, len, &ids, &n, err, sizeof err)) {
            die("--in '%s' line %zu: %s", in_path, count, err);
        }
        snprintf(where, sizeof where, "--in line %zu", count);
        check_ids(ids, n, n_vocab, where);
        int32_t got;
        for (;;) {
            got = llama_detokenize(vocab, ids, (int32_t) n, chars, cap, o->remove_special, o->special);
            if (got >= 0) {
                break;
            }
            cap = -got;
            chars = realloc(chars, (size_t) cap);
            if (!chars) {
                die("out of memory for %d bytes of text", cap);
            }
        }
        json.len = 0;
        json_escape(chars ? chars : "", (size_t) got, &json);
        buf_addc(&json, '\n');
        fwrite(json.data, 1, json.len, out);
        free(ids);
    }
    close_out(out, out_path);
    printf("{\"lines\":%zu}\n", count);
    buf_free(&input);
    buf_free(&json);
    free(chars);
    llama_model_free(model);
    return 0;
}
