/* jansson's type tests are macros, which Swift does not import: wrap them. */
#ifndef CAFFESTA_CJANSSON_SHIM_H
#define CAFFESTA_CJANSSON_SHIM_H
#include <jansson.h>
#include <string.h>

/* json_object_iter_key_len arrived in jansson 2.14 (Debian 12); Debian 11 has 2.13, whose keys
 * cannot hold a NUL, so strlen gives the same length there. A weak reference keeps the library
 * loadable on 2.13 (debian/rules tells dpkg-shlibdeps so; it counts weak references too). */
size_t json_object_iter_key_len(void *iter) __attribute__((weak));
static inline size_t caf_json_iter_key_len(void *iter, const char *key) {
  return json_object_iter_key_len != NULL ? json_object_iter_key_len(iter) : strlen(key);
}

static inline json_type caf_json_type(const json_t *j) { return json_typeof(j); }
static inline int caf_json_is_object(const json_t *j) { return json_is_object(j); }
static inline int caf_json_is_array(const json_t *j) { return json_is_array(j); }
static inline int caf_json_is_string(const json_t *j) { return json_is_string(j); }
static inline int caf_json_is_integer(const json_t *j) { return json_is_integer(j); }
static inline int caf_json_is_number(const json_t *j) { return json_is_number(j); }
static inline int caf_json_is_boolean(const json_t *j) { return json_is_boolean(j); }
static inline int caf_json_is_true(const json_t *j) { return json_is_true(j); }
static inline int caf_json_is_null(const json_t *j) { return json_is_null(j); }
static inline json_t *caf_json_incref(json_t *j) { return json_incref(j); }
static inline void caf_json_decref(json_t *j) { json_decref(j); }
static inline int caf_json_object_set(json_t *o, const char *k, json_t *v) { return json_object_set(o, k, v); }
static inline int caf_json_array_append(json_t *a, json_t *v) { return json_array_append(a, v); }
#endif
