#include "harness.h"
#include "caffesta.h"
#include <curl/curl.h>
#include <jansson.h>

int harness_checks_failed;
const char *harness_current = "";

int run_tests(const test_case *tests, size_t count) {
  int passed = 0, failed = 0;
  const char *only = getenv("CAFFESTA_TEST_ONLY");
  for (size_t i = 0; i < count; i++) {
    if (only && strcmp(only, tests[i].name) != 0) continue;
    int before = harness_checks_failed;
    harness_current = tests[i].name;
    tests[i].fn();
    if (harness_checks_failed == before) { passed++; printf("ok   %s\n", tests[i].name); }
    else { failed++; printf("FAIL %s\n", tests[i].name); }
    fflush(stdout);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

const char *emulator_url(void) {
  const char *url = getenv("CAFFESTA_BASE_URL");
  if (!url) { fprintf(stderr, "CAFFESTA_BASE_URL is not set: run through scripts/with-emulator.sh\n"); exit(2); }
  return url;
}
const char *emulator_key(void) {
  const char *key = getenv("CAFFESTA_API_KEY");
  return key ? key : "0123456789abcdef0123456789abcdef";
}

typedef struct { char *data; size_t size; } buffer;
static size_t collect(char *data, size_t size, size_t n, void *user) {
  buffer *b = user;
  char *grown = realloc(b->data, b->size + size * n + 1);
  if (!grown) return 0;
  b->data = grown;
  memcpy(b->data + b->size, data, size * n);
  b->size += size * n;
  b->data[b->size] = '\0';
  return size * n;
}

char *emulator_admin_at(const char *base, const char *ca_file, const char *method, const char *path, const char *body) {
  char url[1024];
  snprintf(url, sizeof url, "%s%s", base, path);
  CURL *h = curl_easy_init();
  buffer b = {calloc(1, 1), 0};
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  if (body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  if (ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK || status >= 300) {
    fprintf(stderr, "  emulator admin %s %s%s failed: curl %d, HTTP %ld: %s\n", method, base, path, rc, status, b.data);
    free(b.data);
    return NULL;
  }
  return b.data;
}

char *emulator_admin(const char *method, const char *path, const char *body) {
  return emulator_admin_at(emulator_url(), NULL, method, path, body);
}

void emulator_reset(void) { free(emulator_admin("POST", "/__emulator/reset", "{}")); }

void emulator_fault(const char *fault_json) {
  char *answer = emulator_admin("POST", "/__emulator/faults", fault_json);
  if (!answer) { harness_checks_failed++; fprintf(stderr, "  could not arm fault %s\n", fault_json); }
  free(answer);
}

long emulator_stat(const char *table) {
  char *text = emulator_admin("GET", "/__emulator/stats", NULL);
  if (!text) return -1;
  json_t *stats = json_loads(text, 0, NULL);
  free(text);
  long value = json_is_integer(json_object_get(stats, table)) ? (long)json_integer_value(json_object_get(stats, table)) : -1;
  json_decref(stats);
  return value;
}

char *sample_text(const char *name) {
  const char *dir = getenv("CAFFESTA_SAMPLES");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir ? dir : "../samples", name);
  json_error_t error;
  json_t *doc = json_load_file(path, 0, &error);
  if (!doc) { fprintf(stderr, "  cannot read sample %s: %s\n", path, error.text); harness_checks_failed++; return NULL; }
  char *text = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(doc);
  return text;
}

json_t *parsed(const char *text) { return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL; }

json_t *call_json(caffesta_status status, char **text) {
  CHECK_STATUS(status, CAFFESTA_OK);
  json_t *value = parsed(*text);
  caffesta_string_free(*text);
  *text = NULL;
  return value;
}

const char *text_of(json_t *object, const char *key) {
  const char *value = json_string_value(json_object_get(object, key));
  return value ? value : "";
}
