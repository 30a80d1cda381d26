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

/* The oldest libcurl the library supports: Debian 11's 7.74.0 (`make dist-check` runs there).
 * Every option and call the transport uses is at most that old, except those chosen below by
 * the running libcurl's version. */
#define CAF_CURL_FLOOR 0x074a00
#define CAF_CURL_FLOOR_TEXT "7.74.0"
static inline unsigned caf_curl_running_version(void) {
  return curl_version_info(CURLVERSION_NOW)->version_num;
}
static inline const char *caf_curl_running_version_text(void) {
  return curl_version_info(CURLVERSION_NOW)->version;
}

/* Only http and https: CURLOPT_PROTOCOLS_STR from 7.85, where CURLOPT_PROTOCOLS is
 * deprecated; CURLOPT_PROTOCOLS (7.19.4) on an older running libcurl. */
static inline CURLcode caf_curl_restrict_protocols(CURL *h) {
#if LIBCURL_VERSION_NUM >= 0x075500
  if (caf_curl_running_version() >= 0x075500) return curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  return curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#pragma GCC diagnostic pop
}
#endif
