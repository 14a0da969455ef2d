#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void buf_reserve(buf_t *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        fprintf(stderr, "llama-ref: out of memory (buffer of %zu bytes)\n", cap);
        exit(1);
    }
    b->data = p;
    b->cap = cap;
}

void buf_add(buf_t *b, const void *bytes, size_t n) {
    buf_reserve(b, n);
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_addc(buf_t *b, char c) {
    buf_add(b, &c, 1);
}

void buf_addf(buf_t *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t) n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t) n;
}

void buf_free(buf_t *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int read_file(const char *path, buf_t *b) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return -1;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_add(b, chunk, n);
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        errno = EIO;
        return -1;
    }
    buf_reserve(b, 0); /* an empty file still gets a NUL-terminated data pointer */
    b->data[b->len] = '\0';
    return 0;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void add_utf8(buf_t *out, uint32_t cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char) cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char) (0xC0 | (cp >> 6));
        u[1] = (char) (0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char) (0xE0 | (cp >> 12));
        u[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char) (0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char) (0xF0 | (cp >> 18));
        u[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char) (0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_add(out, u, n);
}

/* Reads the four hex digits at s[i..i+3] as a UTF-16 code unit. */
static int hex4(const char *s, size_t len, size_t i, uint32_t *unit) {
    if (i + 4 > len) {
        return -1;
    }
    uint32_t v = 0;
    for (size_t k = i; k < i + 4; k++) {
        char c = s[k];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) {
            return -1;
        }
        v = v * 16 + (uint32_t) d;
    }
    *unit = v;
    return 0;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

int json_unescape(const char *s, size_t len, buf_t *out, char *err, size_t errlen) {
    size_t i = 0;
    while (i < len && is_space(s[i])) {
        i++;
    }
    if (i >= len || s[i] != '"') {
        return fail(err, errlen, "expected a JSON string literal starting with '\"' at offset %zu", i);
    }
    i++;
    for (;;) {
        if (i >= len) {
            return fail(err, errlen, "unterminated JSON string literal (no closing '\"')");
        }
        unsigned char c = (unsigned char) s[i++];
        if (c == '"') {
            break;
        }
        if (c < 0x20) {
            return fail(err, errlen, "raw control character 0x%02x at offset %zu; JSON needs it escaped", c, i - 1);
        }
        if (c != '\\') {
            buf_addc(out, (char) c);
            continue;
        }
        if (i >= len) {
            return fail(err, errlen, "unterminated escape at offset %zu", i - 1);
        }
        char e = s[i++];
        switch (e) {
            case '"':  buf_addc(out, '"');  break;
            case '\\': buf_addc(out, '\\'); break;
            case '/':  buf_addc(out, '/');  break;
            case 'b':  buf_addc(out, '\b'); break;
            case 'f':  buf_addc(out, '\f'); break;
            case 'n':  buf_addc(out, '\n'); break;
            case 'r':  buf_addc(out, '\r'); break;
            case 't':  buf_addc(out, '\t'); break;
            case 'u': {
                uint32_t unit;
                if (hex4(s, len, i, &unit)) {
                    return fail(err, errlen, "\\u at offset %zu is not followed by four hex digits", i - 2);
                }
                i += 4;
                if (unit >= 0xDC00 && unit <= 0xDFFF) {
                    return fail(err, errlen, "lone low surrogate \\u%04X at offset %zu", unit, i - 6);
                }
                if (unit >= 0xD800 && unit <= 0xDBFF) {
                    uint32_t low;
                    if (i + 2 > len || s[i] != '\\' || s[i + 1] != 'u' || hex4(s, len, i + 2, &low)
                            || low < 0xDC00 || low > 0xDFFF) {
                        return fail(err, errlen, "high surrogate \\u%04X at offset %zu lacks its low surrogate",
                                    unit, i - 6);
                    }
                    i += 6;
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                }
                add_utf8(out, unit);
                break;
            }
            default:
                return fail(err, errlen, "unknown escape '\\%c' at offset %zu", e, i - 2);
        }
    }
    while (i < len && is_space(s[i])) {
        i++;
    }
    if (i != len) {
        return fail(err, errlen, "unexpected text after the string literal at offset %zu", i);
    }
    return 0;
}

/*
 * Length of the well-formed UTF-8 sequence at p (1..4), or 0 when it is ill-formed; then *bad is
 * the length of its maximal ill-formed subpart (Unicode 15, section 3.9, table 3-7).
 */
static size_t utf8_sequence(const unsigned char *p, size_t n, size_t *bad) {
    unsigned char b = p[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (b < 0x80) {
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        need = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 3;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 4;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t k = 1; k < need; k++) {
        unsigned char klo = k == 1 ? lo : 0x80, khi = k == 1 ? hi : 0xBF;
        if (k >= n || p[k] < klo || p[k] > khi) {
            *bad = k;
            return 0;
        }
    }
    return need;
}

void json_escape(const char *s, size_t len, buf_t *out) {
    const unsigned char *p = (const unsigned char *) s;
    buf_addc(out, '"');
    size_t i = 0;
    while (i < len) {
        size_t bad = 0;
        size_t k = utf8_sequence(p + i, len - i, &bad);
        if (k == 0) {
            buf_add(out, "\xEF\xBF\xBD", 3);
            i += bad;
            continue;
        }
        if (k > 1) {
            buf_add(out, p + i, k);
            i += k;
            continue;
        }
        unsigned char c = p[i++];
        switch (c) {
            case '"':  buf_add(out, "\\\"", 2); break;
            case '\\': buf_add(out, "\\\\", 2); break;
            case '\n': buf_add(out, "\\n", 2);  break;
            case '\r': buf_add(out, "\\r", 2);  break;
            case '\t': buf_add(out, "\\t", 2);  break;
            case '\b': buf_add(out, "\\b", 2);  break;
            case '\f': buf_add(out, "\\f", 2);  break;
            default:
                if (c < 0x20) {
                    buf_addf(out, "\\u%04x", c);
                } else {
                    buf_addc(out, (char) c);
                }
        }
    }
    buf_addc(out, '"');
}

static int is_separator(char c) {
    return c == ',' || c == '[' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int parse_token_list(const char *s, size_t len, int32_t **ids, size_t *n, char *err, size_t errlen) {
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (is_separator(c)) {
            i++;
            continue;
        }
        if (c < '0' || c > '9') {
            return fail(err, errlen, "unexpected character '%c' (0x%02x) at offset %zu; expected a token id",
                        c >= 0x20 && c < 0x7F ? c : '?', (unsigned char) c, i);
        }
        size_t start = i;
        int64_t v = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (s[i] - '0');
            if (v > INT32_MAX) {
                return fail(err, errlen, "token id at offset %zu exceeds %d", start, INT32_MAX);
            }
            i++;
        }
        if (i < len && !is_separator(s[i])) {
            return fail(err, errlen, "token id at offset %zu is followed by '%c' (0x%02x); expected ',' or a space",
                        start, s[i] >= 0x20 && s[i] < 0x7F ? s[i] : '?', (unsigned char) s[i]);
        }
        if (*n == 0 || (*n >= 16 && (*n & (*n - 1)) == 0)) { /* capacity: 16, then doubling */
            int32_t *p = realloc(*ids, (*n == 0 ? 16 : 2 * *n) * sizeof **ids);
            if (!p) {
                return fail(err, errlen, "out of memory after %zu token ids", *n);
            }
            *ids = p;
        }
        (*ids)[(*n)++] = (int32_t) v;
    }
    return 0;
}
