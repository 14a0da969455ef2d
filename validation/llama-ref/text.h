/*
 * The line formats llama-ref reads and writes: JSON string literals and lists of token ids.
 * Nothing here knows about llama.cpp.
 */
#ifndef LLAMA_REF_TEXT_H
#define LLAMA_REF_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer; data is always NUL-terminated (the NUL is not counted in len). */
typedef struct {
    char  *data;
    size_t len;
    size_t cap;
} buf_t;

void buf_add(buf_t *b, const void *bytes, size_t n);
void buf_addc(buf_t *b, char c);
void buf_addf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(buf_t *b);

/* Reads a whole file into b; returns 0, or -1 with errno set. */
int read_file(const char *path, buf_t *b);

/*
 * Decodes one JSON string literal (surrounding spaces and tabs allowed) into UTF-8 bytes, appended
 * to out. Escapes: \" \\ \/ \b \f \n \r \t \uXXXX, including surrogate pairs.
 * Returns 0, or -1 with a one-line reason in err.
 */
int json_unescape(const char *s, size_t len, buf_t *out, char *err, size_t errlen);

/*
 * Appends s as a JSON string literal. Bytes that are not well-formed UTF-8 become U+FFFD, one per
 * maximal ill-formed subpart (the Unicode "best practice" that Java's and Python's decoders follow),
 * so the result is always valid JSON.
 */
void json_escape(const char *s, size_t len, buf_t *out);

/*
 * Parses token ids separated by any mix of commas, whitespace and square brackets, so CSV and a
 * JSON array both read. Appends them to *ids, which must be NULL with *n == 0 or come from an
 * earlier call (the capacity is implied by *n).
 * Returns 0, or -1 with the offending character and its offset in err.
 */
int parse_token_list(const char *s, size_t len, int32_t **ids, size_t *n, char *err, size_t errlen);

#endif
