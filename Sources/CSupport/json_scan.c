/* A validating JSON scanner: one pass over the text, no tree. It checks RFC 8259 syntax and
 * strict UTF-8 as jansson does (same depth limit, same refusals), optionally refuses duplicate
 * keys, and reports where the top value's children start and end, so that the library can send
 * and return JSON exactly as it was written. */
#include "CSupport.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jansson's JSON_PARSER_MAX_DEPTH: every value, scalars too, counts one level. */
#define MAX_DEPTH 2048

typedef struct {
  size_t start, end; /* the key's token, quotes included */
  uint64_t hash;     /* of the decoded key */
  int escaped;       /* holds a backslash: compare decoded */
} key_entry;

typedef struct {
  char type;        /* '{' or '[' */
  size_t index;     /* arrays: the current element */
  size_t key_start; /* objects: the current key's token */
  size_t key_end;
  size_t key_base;  /* objects: first entry of this object in the key stack */
} frame;

typedef struct {
  const unsigned char *text;
  size_t length, pos;
  int flags;
  caf_json_scan_result *result;
  frame *stack;
  size_t depth;
  key_entry *keys;
  size_t key_count, key_capacity;
  size_t wide_capacity, child_capacity;
} scanner;

static int fail(scanner *s, int error, const char *message) {
  caf_json_scan_result *r = s->result;
  if (r->error) return r->error;
  r->error = error;
  r->offset = s->pos;
  size_t line = 1, column = 1;
  for (size_t i = 0; i < s->pos && i < s->length; i++) {
    if (s->text[i] == '\n') { line++; column = 1; } else if ((s->text[i] & 0xC0) != 0x80) column++;
  }
  snprintf(r->message, sizeof r->message, "%s at line %zu, column %zu (byte %zu)", message, line, column, s->pos);
  return error;
}

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void skip_space(scanner *s) {
  while (s->pos < s->length && is_space(s->text[s->pos])) s->pos++;
}

static int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

static uint64_t hash_byte(uint64_t h, unsigned char b) { return (h ^ b) * 0x100000001b3ull; }

static uint64_t hash_code_point(uint64_t h, uint32_t cp) {
  if (cp < 0x80) return hash_byte(h, (unsigned char)cp);
  if (cp < 0x800) return hash_byte(hash_byte(h, 0xC0 | (cp >> 6)), 0x80 | (cp & 0x3F));
  if (cp < 0x10000)
    return hash_byte(hash_byte(hash_byte(h, 0xE0 | (cp >> 12)), 0x80 | ((cp >> 6) & 0x3F)), 0x80 | (cp & 0x3F));
  h = hash_byte(h, 0xF0 | (cp >> 18));
  h = hash_byte(h, 0x80 | ((cp >> 12) & 0x3F));
  h = hash_byte(h, 0x80 | ((cp >> 6) & 0x3F));
  return hash_byte(h, 0x80 | (cp & 0x3F));
}

/* Four hex digits at pos; -1 when they are not. */
static long read_hex4(scanner *s) {
  if (s->length - s->pos < 4) return -1;
  long v = 0;
  for (int i = 0; i < 4; i++) {
    int d = hex_value(s->text[s->pos + i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  s->pos += 4;
  return v;
}

/* How many bytes the UTF-8 sequence at pos takes (strict: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or 0 when it is invalid. */
static size_t utf8_length(const unsigned char *p, size_t left) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;
    if (c == 0xED && p[1] > 0x9F) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;
    if (c == 0xF4 && p[1] > 0x8F) return 0;
    return 4;
  }
  return 0;
}

/* A string token at pos (on its opening quote). Keys get their decoded hash. */
static int scan_string(scanner *s, int is_key, uint64_t *hash, int *escaped) {
  uint64_t h = 0xcbf29ce484222325ull;
  int has_escape = 0;
  s->pos++;
  for (;;) {
    /* the common run: printable ASCII without quotes or backslashes */
    const unsigned char *t = s->text;
    size_t i = s->pos, n = s->length;
    if (is_key) {
      while (i < n && t[i] >= 0x20 && t[i] < 0x80 && t[i] != '"' && t[i] != '\\') h = hash_byte(h, t[i++]);
    } else {
      while (i < n && t[i] >= 0x20 && t[i] < 0x80 && t[i] != '"' && t[i] != '\\') i++;
    }
    s->pos = i;
    if (i == n) return fail(s, CAF_JSON_INVALID, "unterminated string");
    unsigned char c = t[i];
    if (c == '"') {
      s->pos++;
      if (hash) *hash = h;
      if (escaped) *escaped = has_escape;
      return 0;
    }
    if (c < 0x20) return fail(s, CAF_JSON_INVALID, "control character in a string");
    if (c >= 0x80) {
      size_t len = utf8_length(t + i, n - i);
      if (len == 0) return fail(s, CAF_JSON_INVALID, "invalid UTF-8");
      if (is_key) for (size_t k = 0; k < len; k++) h = hash_byte(h, t[i + k]);
      s->pos += len;
      continue;
    }
    /* a backslash */
    has_escape = 1;
    s->pos++;
    if (s->pos == n) return fail(s, CAF_JSON_INVALID, "unterminated string");
    c = t[s->pos++];
    uint32_t cp;
    switch (c) {
    case '"': cp = '"'; break;
    case '\\': cp = '\\'; break;
    case '/': cp = '/'; break;
    case 'b': cp = '\b'; break;
    case 'f': cp = '\f'; break;
    case 'n': cp = '\n'; break;
    case 'r': cp = '\r'; break;
    case 't': cp = '\t'; break;
    case 'u': {
      s->pos -= 2;
      size_t escape_at = s->pos;
      s->pos += 2;
      long v = read_hex4(s);
      if (v < 0) { s->pos = escape_at; return fail(s, CAF_JSON_INVALID, "invalid \\u escape"); }
      if (v >= 0xDC00 && v <= 0xDFFF) { s->pos = escape_at; return fail(s, CAF_JSON_INVALID, "invalid Unicode escape (a lone low surrogate)"); }
      if (v >= 0xD800 && v <= 0xDBFF) {
        long low = -1;
        if (s->length - s->pos >= 2 && t[s->pos] == '\\' && t[s->pos + 1] == 'u') {
          s->pos += 2;
          low = read_hex4(s);
        }
        if (low < 0xDC00 || low > 0xDFFF) { s->pos = escape_at; return fail(s, CAF_JSON_INVALID, "invalid Unicode escape (a lone high surrogate)"); }
        v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00);
      }
      if (v == 0 && is_key) { s->pos = escape_at; return fail(s, CAF_JSON_INVALID, "NUL byte in an object key"); }
      cp = (uint32_t)v;
      break;
    }
    default:
      s->pos -= 2;
      return fail(s, CAF_JSON_INVALID, "invalid escape in a string");
    }
    if (is_key) h = hash_code_point(h, cp);
  }
}

static int append_span(scanner *s, size_t **list, size_t *count, size_t *capacity, size_t a, size_t b, size_t c, size_t d,
                       int width) {
  if (*count == *capacity) {
    size_t grown = *capacity ? *capacity * 2 : 16;
    size_t *bigger = realloc(*list, grown * width * sizeof(size_t));
    if (bigger == NULL) return fail(s, CAF_JSON_NO_MEMORY, "out of memory");
    *list = bigger;
    *capacity = grown;
  }
  size_t *at = *list + *count * width;
  at[0] = a;
  at[1] = b;
  if (width == 4) { at[2] = c; at[3] = d; }
  (*count)++;
  return 0;
}

/* Whether jansson can hold the number token [start, end): integers within 64 bits, reals
 * that strtod does not overflow. */
static int jansson_can_hold(const unsigned char *t, size_t start, size_t end, int is_real) {
  size_t n = end - start;
  if (!is_real) {
    size_t digits = n - (t[start] == '-');
    if (digits < 19) return 1;
    if (digits > 19) return 0;
    const char *limit = t[start] == '-' ? "9223372036854775808" : "9223372036854775807";
    return memcmp(t + end - 19, limit, 19) <= 0;
  }
  int has_exponent = 0;
  for (size_t i = start; i < end; i++) if ((t[i] | 0x20) == 'e') has_exponent = 1;
  if (!has_exponent && n < 300) return 1;
  char small[64];
  char *copy = n < sizeof small ? small : malloc(n + 1);
  if (copy == NULL) return 0;
  memcpy(copy, t + start, n);
  copy[n] = '\0';
  errno = 0;
  double v = strtod(copy, NULL);
  int overflow = errno == ERANGE && (v > 1.0 || v < -1.0);
  if (copy != small) free(copy);
  return !overflow;
}

static int scan_number(scanner *s) {
  const unsigned char *t = s->text;
  size_t start = s->pos, n = s->length;
  int is_real = 0;
  if (t[s->pos] == '-') s->pos++;
  if (s->pos == n) return fail(s, CAF_JSON_INVALID, "invalid number");
  if (t[s->pos] == '0') {
    s->pos++;
    if (s->pos < n && t[s->pos] >= '0' && t[s->pos] <= '9') return fail(s, CAF_JSON_INVALID, "invalid number (a leading zero)");
  } else if (t[s->pos] >= '1' && t[s->pos] <= '9') {
    while (s->pos < n && t[s->pos] >= '0' && t[s->pos] <= '9') s->pos++;
  } else {
    return fail(s, CAF_JSON_INVALID, "invalid number");
  }
  if (s->pos < n && t[s->pos] == '.') {
    is_real = 1;
    s->pos++;
    if (s->pos == n || t[s->pos] < '0' || t[s->pos] > '9') return fail(s, CAF_JSON_INVALID, "invalid number (no digit after '.')");
    while (s->pos < n && t[s->pos] >= '0' && t[s->pos] <= '9') s->pos++;
  }
  if (s->pos < n && (t[s->pos] | 0x20) == 'e') {
    is_real = 1;
    s->pos++;
    if (s->pos < n && (t[s->pos] == '+' || t[s->pos] == '-')) s->pos++;
    if (s->pos == n || t[s->pos] < '0' || t[s->pos] > '9') return fail(s, CAF_JSON_INVALID, "invalid number (no digit in the exponent)");
    while (s->pos < n && t[s->pos] >= '0' && t[s->pos] <= '9') s->pos++;
  }
  if (!jansson_can_hold(t, start, s->pos, is_real)) {
    caf_json_scan_result *r = s->result;
    return append_span(s, &r->wide, &r->wide_count, &s->wide_capacity, start, s->pos, 0, 0, 2);
  }
  return 0;
}

static int scan_literal(scanner *s, const char *word, size_t len) {
  if (s->length - s->pos < len || memcmp(s->text + s->pos, word, len) != 0) return fail(s, CAF_JSON_INVALID, "invalid literal");
  s->pos += len;
  return 0;
}

/* Decodes a key token into out (at least its length); returns the decoded length. */
size_t caf_json_string_decode(const char *token, size_t length, char *out) {
  const unsigned char *t = (const unsigned char *)token;
  size_t o = 0;
  for (size_t i = 1; i + 1 < length;) {
    if (t[i] != '\\') { out[o++] = (char)t[i++]; continue; }
    char c = (char)t[i + 1];
    i += 2;
    uint32_t cp;
    switch (c) {
    case 'b': cp = '\b'; break;
    case 'f': cp = '\f'; break;
    case 'n': cp = '\n'; break;
    case 'r': cp = '\r'; break;
    case 't': cp = '\t'; break;
    case 'u': {
      cp = 0;
      for (int k = 0; k < 4 && i < length; k++) cp = cp * 16 + (uint32_t)hex_value(t[i++]);
      if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= length) {
        uint32_t low = 0;
        for (int k = 0; k < 4; k++) low = low * 16 + (uint32_t)hex_value(t[i + 2 + k]);
        i += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      break;
    }
    default: cp = (unsigned char)c;
    }
    if (cp < 0x80) out[o++] = (char)cp;
    else if (cp < 0x800) { out[o++] = (char)(0xC0 | (cp >> 6)); out[o++] = (char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
      out[o++] = (char)(0xE0 | (cp >> 12)); out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[o++] = (char)(0x80 | (cp & 0x3F));
    } else {
      out[o++] = (char)(0xF0 | (cp >> 18)); out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
      out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[o++] = (char)(0x80 | (cp & 0x3F));
    }
  }
  return o;
}

static int same_key(const scanner *s, const key_entry *a, const key_entry *b) {
  if (a->hash != b->hash) return 0;
  const char *t = (const char *)s->text;
  size_t la = a->end - a->start, lb = b->end - b->start;
  if (!a->escaped && !b->escaped) return la == lb && memcmp(t + a->start, t + b->start, la) == 0;
  char *da = malloc(la ? la : 1), *db = malloc(lb ? lb : 1);
  int same = 0;
  if (da != NULL && db != NULL) {
    size_t na = caf_json_string_decode(t + a->start, la, da), nb = caf_json_string_decode(t + b->start, lb, db);
    same = na == nb && memcmp(da, db, na) == 0;
  }
  free(da);
  free(db);
  return same;
}

static int by_hash(const void *x, const void *y) {
  const key_entry *a = x, *b = y;
  return a->hash < b->hash ? -1 : a->hash > b->hash;
}

/* "items[1].price": where the object on top of the stack is, for a message. */
static void write_path(const scanner *s, char *out, size_t capacity) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t level = 0; level + 1 < s->depth && used + 1 < capacity; level++) {
    const frame *f = &s->stack[level];
    int n;
    if (f->type == '[') {
      n = snprintf(out + used, capacity - used, "[%zu]", f->index);
    } else {
      size_t len = f->key_end - f->key_start - 2;
      if (len > 60) len = 60;
      n = snprintf(out + used, capacity - used, "%s%.*s", used ? "." : "", (int)len, (const char *)s->text + f->key_start + 1);
    }
    if (n < 0) break;
    used += (size_t)n;
    if (used >= capacity) used = capacity - 1;
  }
}

static int check_duplicates(scanner *s, size_t base) {
  size_t count = s->key_count - base;
  key_entry *keys = s->keys + base;
  const key_entry *dup = NULL;
  if (count <= 8) {
    for (size_t i = 1; i < count && !dup; i++)
      for (size_t j = 0; j < i; j++) if (same_key(s, &keys[i], &keys[j])) { dup = &keys[i]; break; }
  } else {
    qsort(keys, count, sizeof *keys, by_hash);
    for (size_t i = 1; i < count && !dup; i++)
      for (size_t j = i; j > 0 && keys[j - 1].hash == keys[i].hash; j--)
        if (same_key(s, &keys[i], &keys[j - 1])) { dup = &keys[i]; break; }
  }
  if (dup == NULL) return 0;
  char path[256];
  write_path(s, path, sizeof path);
  caf_json_scan_result *r = s->result;
  size_t len = dup->end - dup->start - 2;
  if (len > 80) len = 80;
  r->error = CAF_JSON_DUPLICATE;
  r->offset = dup->start;
  snprintf(r->message, sizeof r->message, "duplicate key \"%.*s\" in %s%s", (int)len, (const char *)s->text + dup->start + 1,
           path[0] ? "" : "the top-level object", path);
  return CAF_JSON_DUPLICATE;
}

static int push_key(scanner *s, size_t start, size_t end, uint64_t hash, int escaped) {
  if (s->key_count == s->key_capacity) {
    size_t grown = s->key_capacity ? s->key_capacity * 2 : 32;
    key_entry *bigger = realloc(s->keys, grown * sizeof *bigger);
    if (bigger == NULL) return fail(s, CAF_JSON_NO_MEMORY, "out of memory");
    s->keys = bigger;
    s->key_capacity = grown;
  }
  s->keys[s->key_count++] = (key_entry){start, end, hash, escaped};
  return 0;
}

/* An object key and its colon, at pos (after '{' or ','). */
static int scan_key(scanner *s) {
  skip_space(s);
  if (s->pos == s->length || s->text[s->pos] != '"') return fail(s, CAF_JSON_INVALID, "expected a string key");
  size_t start = s->pos;
  uint64_t hash = 0;
  int escaped = 0;
  int dedupe = (s->flags & CAF_JSON_REJECT_DUPLICATES) != 0;
  if (scan_string(s, 1, &hash, &escaped)) return s->result->error;
  frame *f = &s->stack[s->depth - 1];
  f->key_start = start;
  f->key_end = s->pos;
  if (dedupe && push_key(s, start, s->pos, hash, escaped)) return s->result->error;
  skip_space(s);
  if (s->pos == s->length || s->text[s->pos] != ':') return fail(s, CAF_JSON_INVALID, "expected ':' after a key");
  s->pos++;
  return 0;
}

static int record_child(scanner *s, size_t start, size_t end) {
  caf_json_scan_result *r = s->result;
  frame *f = &s->stack[0];
  size_t ks = f->type == '{' ? f->key_start : 0, ke = f->type == '{' ? f->key_end : 0;
  return append_span(s, &r->children, &r->child_count, &s->child_capacity, ks, ke, start, end, 4);
}

static int scan(scanner *s) {
  size_t child_start = 0;
  for (;;) {
    /* a value */
    skip_space(s);
    if (s->pos == s->length) return fail(s, CAF_JSON_INVALID, s->depth || s->pos ? "unexpected end of text" : "empty text");
    if (s->depth + 1 > MAX_DEPTH) return fail(s, CAF_JSON_INVALID, "nested deeper than 2048 levels");
    if (s->depth == 1) child_start = s->pos;
    unsigned char c = s->text[s->pos];
    if (s->depth == 0 && !(s->flags & CAF_JSON_ANY_VALUE) && c != '{' && c != '[')
      return fail(s, CAF_JSON_INVALID, "expected an object or an array");
    if (s->depth == 0) s->result->top = (char)c;
    if (c == '{' || c == '[') {
      frame *f = &s->stack[s->depth++];
      f->type = (char)c;
      f->index = 0;
      f->key_start = f->key_end = 0;
      f->key_base = s->key_count;
      s->pos++;
      skip_space(s);
      if (s->pos < s->length && s->text[s->pos] == (c == '{' ? '}' : ']')) {
        s->pos++;
        s->depth--;
      } else if (c == '{') {
        if (scan_key(s)) return s->result->error;
        continue;
      } else {
        continue;
      }
    } else if (c == '"') {
      if (scan_string(s, 0, NULL, NULL)) return s->result->error;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (scan_number(s)) return s->result->error;
    } else if (c == 't') {
      if (scan_literal(s, "true", 4)) return s->result->error;
    } else if (c == 'f') {
      if (scan_literal(s, "false", 5)) return s->result->error;
    } else if (c == 'n') {
      if (scan_literal(s, "null", 4)) return s->result->error;
    } else {
      return fail(s, CAF_JSON_INVALID, "invalid token");
    }
    /* after a value: close containers, or move to the next element */
    for (;;) {
      if (s->depth == 1 && (s->flags & CAF_JSON_CHILDREN) && record_child(s, child_start, s->pos)) return s->result->error;
      if (s->depth == 0) {
        skip_space(s);
        if (s->pos != s->length) return fail(s, CAF_JSON_INVALID, "end of text expected");
        return 0;
      }
      frame *f = &s->stack[s->depth - 1];
      skip_space(s);
      if (s->pos == s->length) return fail(s, CAF_JSON_INVALID, "unexpected end of text");
      c = s->text[s->pos];
      if (c == ',') {
        s->pos++;
        f->index++;
        if (f->type == '{' && scan_key(s)) return s->result->error;
        break;
      }
      if (c != (f->type == '{' ? '}' : ']'))
        return fail(s, CAF_JSON_INVALID, f->type == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
      s->pos++;
      if (f->type == '{' && (s->flags & CAF_JSON_REJECT_DUPLICATES)) {
        if (check_duplicates(s, f->key_base)) return CAF_JSON_DUPLICATE;
        s->key_count = f->key_base;
      }
      s->depth--;
    }
  }
}

/* The end of the checked value starting at i: strings skipped whole, brackets counted. */
static size_t skip_checked_value(const unsigned char *t, size_t i, size_t n) {
  size_t depth = 0;
  while (i < n) {
    unsigned char c = t[i];
    if (c == '"') {
      for (i++; i < n && t[i] != '"'; i++)
        if (t[i] == '\\') i++;
      i++; /* past the closing quote */
      if (i > n) return n;
      if (depth == 0) return i;
    } else if (c == '{' || c == '[') {
      depth++;
      i++;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i; /* the container around the value ends */
      depth--;
      i++;
      if (depth == 0) return i;
    } else if (depth == 0 && (c == ',' || c == ':' || is_space(c))) {
      return i;
    } else {
      i++;
    }
  }
  return n;
}

/* CAF_JSON_CHECKED: the top value's children of a text checked before, found without checks. */
static int children_of_checked(scanner *s) {
  const unsigned char *t = s->text;
  size_t n = s->length, i = 0;
  caf_json_scan_result *r = s->result;
  while (i < n && is_space(t[i])) i++;
  if (i == n) return fail(s, CAF_JSON_INVALID, "empty text");
  r->top = (char)t[i];
  if (!(s->flags & CAF_JSON_CHILDREN) || (t[i] != '{' && t[i] != '[')) return 0;
  int object = t[i] == '{';
  i++;
  for (;;) {
    while (i < n && (is_space(t[i]) || t[i] == ',')) i++;
    if (i >= n || t[i] == '}' || t[i] == ']') return 0;
    size_t key_start = 0, key_end = 0;
    if (object) {
      key_start = i;
      key_end = skip_checked_value(t, i, n);
      i = key_end;
      while (i < n && (is_space(t[i]) || t[i] == ':')) i++;
    }
    size_t value_end = skip_checked_value(t, i, n);
    if (value_end <= i || append_span(s, &r->children, &r->child_count, &s->child_capacity, key_start, key_end, i,
                                      value_end, 4))
      return r->error ? r->error : fail(s, CAF_JSON_INVALID, "unexpected text");
    i = value_end;
  }
}

int caf_json_scan(const char *text, size_t length, int flags, caf_json_scan_result *result) {
  memset(result, 0, sizeof *result);
  scanner s = {.text = (const unsigned char *)text, .length = text ? length : 0, .flags = flags, .result = result};
  if (flags & CAF_JSON_CHECKED) return children_of_checked(&s);
  s.stack = malloc(MAX_DEPTH * sizeof *s.stack);
  if (s.stack == NULL) {
    result->error = CAF_JSON_NO_MEMORY;
    snprintf(result->message, sizeof result->message, "out of memory");
    return result->error;
  }
  scan(&s);
  free(s.stack);
  free(s.keys);
  return result->error;
}

void caf_json_scan_free(caf_json_scan_result *result) {
  free(result->children);
  free(result->wide);
  result->children = NULL;
  result->wide = NULL;
  result->child_count = result->wide_count = 0;
}
