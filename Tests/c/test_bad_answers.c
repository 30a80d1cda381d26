/* Bad answers: truncated, HTML, empty, invalid UTF-8, deeply nested, huge error texts, answers
 * without a usable id, and answers larger than the limit (in bounded memory) each give a clear
 * status, and the client works afterwards. */
#include "caffesta.h"
#include "harness.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define MOVE_JSON "{\"date\":\"2022-06-01 15:15\",\"storage_from\":{\"caf_id\":1},\"storage_to\":{\"caf_id\":7}," \
                  "\"items\":[{\"amount\":2,\"product_code\":\"2\"}]}"

/* A field of /proc/self/status in kB ("VmRSS", "VmHWM"), -1 when unknown. */
static long status_kb(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long value = -1;
  size_t n = strlen(field);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, field, n) == 0 && line[n] == ':') { value = strtol(line + n + 1, NULL, 10); break; }
  }
  fclose(f);
  return value;
}

/* Makes VmHWM (the peak RSS) start again from the current RSS. */
static void reset_peak(void) {
  FILE *clear = fopen("/proc/self/clear_refs", "w");
  if (clear) { fputs("5", clear); fclose(clear); }
}

static caffesta_status get_storages(caffesta_client *c) {
  char *out = (char *)1;
  caffesta_status status = caffesta_request(c, "GET", STORAGES_PATH, NULL, &out);
  if (status != CAFFESTA_OK) CHECK(out == NULL);
  caffesta_string_free(status == CAFFESTA_OK ? out : NULL);
  return status;
}

static void test_bad_answers_give_clear_statuses(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  CHECK_STATUS(caffesta_client_set_max_retries(c, 0), CAFFESTA_OK);
  fault("truncate", "GET", STORAGES_PATH, NULL);
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_NETWORK);
  fault("html", "GET", STORAGES_PATH, "\"status\":502");
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_SERVER);
  CHECK(caffesta_last_http_status() == 502);
  CHECK(strstr(caffesta_last_error(), "HTML") != NULL);
  fault("html200", "GET", STORAGES_PATH, NULL);
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_PROTOCOL);
  CHECK(strstr(caffesta_last_error(), "HTML") != NULL);
  fault("empty", "GET", STORAGES_PATH, NULL);
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_PROTOCOL);
  fault("invalid_utf8", "GET", STORAGES_PATH, NULL);
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_PROTOCOL);
  fault("deep_json", "GET", STORAGES_PATH, "\"depth\":10000");
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_PROTOCOL);
  fault("deep_json", "GET", STORAGES_PATH, "\"depth\":200000");
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_PROTOCOL);
  /* A 100 KB error text from the server: the message is cut short, on a UTF-8 character boundary. */
  {
    size_t words = 20000;
    char *more = malloc(words * 10 + 256), *o = more;
    o += sprintf(o, "{\"kind\":\"body\",\"path_prefix\":\"" STORAGES_PATH "\",\"status\":404,"
                    "\"json\":{\"success\":false,\"data\":{\"error\":\"");
    for (size_t i = 0; i < words; i++) o += sprintf(o, "%s", i % 2 ? "нет " : "x");
    strcpy(o, "\"}}}");
    emulator_fault(more); /* longer than fault() takes */
    free(more);
    CHECK_STATUS(get_storages(c), CAFFESTA_ERR_NOT_FOUND);
    const char *message = caffesta_last_error();
    CHECK(strlen(message) > 100 && strlen(message) < 4096);
    CHECK(strstr(message, "нет") != NULL);
    json_t *as_json = json_string(message); /* NULL when the text is not valid UTF-8 */
    CHECK(as_json != NULL);
    json_decref(as_json);
  }
  /* The named calls classify the same way. */
  char *out = (char *)1;
  fault("invalid_utf8", "GET", STORAGES_PATH, NULL);
  CHECK_STATUS(caffesta_storages_list(c, &out), CAFFESTA_ERR_PROTOCOL);
  CHECK(out == NULL);
  CHECK_STATUS(get_storages(c), CAFFESTA_OK);
  /* With retries, a GET cut short is read again; an answer cut short twice is still an error. */
  CHECK_STATUS(caffesta_client_set_max_retries(c, 2), CAFFESTA_OK);
  clear_request_log();
  fault("truncate", "GET", STORAGES_PATH, NULL);
  CHECK_STATUS(get_storages(c), CAFFESTA_OK);
  CHECK(log_length() == 2);
  caffesta_client_free(c);
}

/* A create call whose answer is 200 but carries no usable id: PROTOCOL, id 0, not resent. */
static void test_create_answers_without_a_usable_id(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  const char *answers[] = {"{\"success\":true}", "{\"success\":true,\"data\":null}", "{\"success\":true,\"data\":[]}",
                           "{\"success\":true,\"data\":{\"id\":0}}", "{\"success\":true,\"data\":{\"id\":-5}}",
                           "{\"success\":true,\"data\":{\"id\":1.5}}", "{\"success\":true,\"data\":{\"id\":\"x12\"}}",
                           "{\"success\":true,\"data\":{\"id\":true}}",
                           "{\"success\":true,\"data\":{\"id\":99999999999999999999999}}", "[1]", "\"ok\"", "null"};
  const size_t n = sizeof answers / sizeof *answers;
  for (size_t i = 0; i < n; i++) {
    /* the body goes into the fault as a JSON string: escape its quotes once more */
    char more[600], escaped[512], *o = escaped;
    for (const char *p = answers[i]; *p && o < escaped + sizeof escaped - 3; p++) {
      if (*p == '"') *o++ = '\\';
      *o++ = *p;
    }
    *o = '\0';
    snprintf(more, sizeof more, "\"body\":\"%s\"", escaped);
    fault("body", "POST", INVOICES_PATH, more);
    create_sample_invoice(c, CAFFESTA_ERR_PROTOCOL);
    fault("body", "POST", "/a/v1.0/storage/moves", more);
    long long id = 7;
    CHECK_STATUS(caffesta_move_create(c, MOVE_JSON, &id), CAFFESTA_ERR_PROTOCOL);
    CHECK(id == 0);
  }
  json_t *log = request_log();
  CHECK(count_requests(log, "POST", INVOICES_PATH) == n);
  CHECK(count_requests(log, "POST", "/a/v1.0/storage/moves") == n);
  json_decref(log);
  caffesta_client_free(c);
}

/* An id the library hands out is one it accepts back: found when caffesta_invoice_create took
 * any positive id from the answer while the id-taking calls refused ids above 2^53. */
static void test_an_id_handed_out_is_accepted_back(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  fault("body", "POST", INVOICES_PATH, "\"json\":{\"success\":true,\"data\":{\"id\":9007199254740993}}");
  long long id = create_sample_invoice(c, CAFFESTA_OK);
  char *out = NULL;
  CHECK(caffesta_invoice_get(c, id, &out) != CAFFESTA_ERR_INVALID_ARGUMENT);
  caffesta_string_free(out);
  caffesta_client_free(c);
}

/* AddressSanitizer keeps freed memory in quarantine, so what RSS shows after a call is more than
 * what the library holds: the bound on what stays resident is looser under it. */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define RSS_AFTER_LIMIT_KB (300 * 1024)
#define PEAK_LIMIT_KB (400 * 1024)
#else
#define RSS_AFTER_LIMIT_KB (80 * 1024)
#define PEAK_LIMIT_KB (200 * 1024)
#endif

static void test_oversize_answers_are_refused_in_bounded_memory(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  CHECK_STATUS(caffesta_client_set_max_retries(c, 0), CAFFESTA_OK);
  CHECK_STATUS(get_storages(c), CAFFESTA_OK); /* warm up: the handle and the connection exist */
  reset_peak();
  long rss_before = status_kb("VmRSS"), peak_before = status_kb("VmHWM");
  fault("oversize", "GET", STORAGES_PATH, "\"size_bytes\":200000000");
  long long start = now_ms();
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_PROTOCOL);
  CHECK(strstr(caffesta_last_error(), "larger") != NULL);
  long rss_after = status_kb("VmRSS"), peak_after = status_kb("VmHWM");
  CHECK(rss_before > 0 && rss_after - rss_before < RSS_AFTER_LIMIT_KB);
  CHECK(peak_before > 0 && peak_after - peak_before < 80 * 1024);
  CHECK(now_ms() - start < 10000);
  fprintf(stderr, "  oversize 200 MB: RSS %+ld kB, peak %+ld kB, %lld ms\n", rss_after - rss_before,
          peak_after - peak_before, now_ms() - start);
  /* Chunked, the size unknown until read: abandoned at the limit, not buffered to the end. */
  start = now_ms();
  reset_peak();
  rss_before = status_kb("VmRSS"), peak_before = status_kb("VmHWM");
  fault("oversize", "GET", STORAGES_PATH, "\"size_bytes\":1000000000,\"chunked\":true");
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_PROTOCOL);
  CHECK(strstr(caffesta_last_error(), "larger") != NULL);
  rss_after = status_kb("VmRSS"), peak_after = status_kb("VmHWM");
  CHECK(rss_after - rss_before < RSS_AFTER_LIMIT_KB);
  CHECK(peak_after - peak_before < PEAK_LIMIT_KB); /* about the 64 MiB limit, far from the 1 GB answer */
  CHECK(now_ms() - start < 20000);
  fprintf(stderr, "  oversize 1 GB chunked: RSS %+ld kB, peak %+ld kB, %lld ms\n", rss_after - rss_before,
          peak_after - peak_before, now_ms() - start);
  CHECK_STATUS(caffesta_client_set_max_response_size(c, 1 << 20), CAFFESTA_OK);
  reset_peak();
  peak_before = status_kb("VmHWM");
  fault("oversize", "GET", STORAGES_PATH, "\"size_bytes\":200000000,\"chunked\":true");
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_PROTOCOL);
  CHECK(status_kb("VmHWM") - peak_before < 30 * 1024);
  fault("oversize", "GET", STORAGES_PATH, "\"size_bytes\":2000000");
  CHECK_STATUS(get_storages(c), CAFFESTA_ERR_PROTOCOL);
  CHECK(strstr(caffesta_last_error(), "larger") != NULL);
  /* Just under the limit is fine. */
  fault("oversize", "GET", STORAGES_PATH, "\"size_bytes\":1000000");
  CHECK_STATUS(get_storages(c), CAFFESTA_OK);
  CHECK_STATUS(get_storages(c), CAFFESTA_OK);
  caffesta_client_free(c);
}

int main(void) {
  static const test_case tests[] = {
    {"an_id_handed_out_is_accepted_back", test_an_id_handed_out_is_accepted_back},
    {"bad_answers_give_clear_statuses", test_bad_answers_give_clear_statuses},
    {"create_answers_without_a_usable_id", test_create_answers_without_a_usable_id},
    {"oversize_answers_are_refused_in_bounded_memory", test_oversize_answers_are_refused_in_bounded_memory},
  };
  return run_tests(tests, sizeof tests / sizeof *tests);
}
