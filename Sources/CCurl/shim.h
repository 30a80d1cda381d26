/* Typed wrappers around libcurl's variadic curl_easy_setopt/getinfo, which Swift cannot call. */
#ifndef CAFFESTA_CCURL_SHIM_H
#define CAFFESTA_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*caf_curl_write_fn)(char *data, size_t size, size_t count, void *user);

static inline CURLcode caf_curl_set_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode caf_curl_set_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode caf_curl_set_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode caf_curl_set_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode caf_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode caf_curl_set_write_fn(CURL *h, caf_curl_write_fn f) { return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode caf_curl_set_header_fn(CURL *h, caf_curl_write_fn f) { return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, f); }
static inline CURLcode caf_curl_set_read_fn(CURL *h, caf_curl_write_fn f) { return curl_easy_setopt(h, CURLOPT_READFUNCTION, f); }
typedef int (*caf_curl_seek_fn)(void *user, curl_off_t offset, int origin);
static inline CURLcode caf_curl_set_seek_fn(CURL *h, caf_curl_seek_fn f) { return curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, f); }
typedef int (*caf_curl_debug_fn)(CURL *h, curl_infotype type, char *data, size_t size, void *user);
static inline CURLcode caf_curl_set_debug_fn(CURL *h, caf_curl_debug_fn f) { return curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, f); }
static inline CURLcode caf_curl_get_str(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode caf_curl_get_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode caf_curl_get_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode caf_curl_get_ptr(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode caf_curlm_set_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
#endif
