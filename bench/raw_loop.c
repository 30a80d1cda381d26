/* The reference: what a careful hand-written client does per product, with libcurl and jansson
 * and nothing else. Same product, same headers, a kept-alive connection, the answer parsed.
 *   raw_loop BASE_URL KEY seq N          one easy handle, one PUT after the other
 *   raw_loop BASE_URL KEY multi N C      curl multi, C requests in flight on C reused handles
 * bench_warmup(N) items first, on the same handles, then N measured ones. Prints {"ms", "cpu_ms",
 * "items", "distinct_ids", "connects"} of the measured part (connects: CURLINFO_NUM_CONNECTS summed). */
#include "common.h"
#include <curl/curl.h>

typedef struct {
  CURL *easy;
  char url[256];
  char *body;     /* the serialized product, kept until the transfer ends */
  char *answer;   /* the answer's bytes */
  size_t length, capacity;
} Slot;

static const char *base, *key;
static struct curl_slist *headers;
static long connects;

static size_t collect(char *data, size_t size, size_t count, void *user) {
  Slot *s = user;
  size_t n = size * count;
  if (s->length + n + 1 > s->capacity) {
    s->capacity = (s->length + n + 1) * 2;
    s->answer = realloc(s->answer, s->capacity);
    if (!s->answer) return 0;
  }
  memcpy(s->answer + s->length, data, n);
  s->length += n;
  return n;
}

static void slot_init(Slot *s) {
  memset(s, 0, sizeof *s);
  s->easy = curl_easy_init();
  if (!s->easy) bench_die("curl_easy_init", NULL);
  curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(s->easy, CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
  curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
}

/* Builds item i's body with jansson and points the handle at it. */
static void slot_prepare(Slot *s, long i) {
  json_t *product = bench_product(i);
  s->body = json_dumps(product, JSON_COMPACT);
  json_decref(product);
  if (!s->body) bench_die("json_dumps", NULL);
  snprintf(s->url, sizeof s->url, "%s/a/v1.0/product/by_ref_code/bench-%ld", base, i);
  curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
  curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
  curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(s->body));
  s->length = 0;
}

/* Checks a finished transfer as the library would: HTTP 200, JSON, success true, an integer data.id. */
static void slot_finish(Slot *s, CURLcode code) {
  long status = 0, n = 0;
  if (code != CURLE_OK) bench_die("transfer", curl_easy_strerror(code));
  curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &n);
  connects += n;
  json_error_t error;
  json_t *answer = json_loadb(s->answer, s->length, 0, &error);
  if (status != 200 || !answer) bench_die("answer", error.text);
  json_t *id = json_object_get(json_object_get(answer, "data"), "id");
  if (!json_is_true(json_object_get(answer, "success")) || !json_is_integer(id)) bench_die("answer", "no data.id");
  bench_saw_id(json_integer_value(id));
  json_decref(answer);
  free(s->body);
  s->body = NULL;
}

/* One easy handle, kept across the warm-up and the measured part (its connection too). */
static Slot sequential;

static void run_sequential(long n) {
  for (long i = 0; i < n; i++) {
    slot_prepare(&sequential, i);
    slot_finish(&sequential, curl_easy_perform(sequential.easy));
  }
}

/* One multi handle and its easy handles, kept across the warm-up and the measured part. */
static CURLM *multi;
static Slot *slots;
static int slot_count;

static void run_multi(long n) {
  long next = 0, done = 0;
  for (int k = 0; k < slot_count && next < n; k++) {
    slot_prepare(&slots[k], next++);
    curl_multi_add_handle(multi, slots[k].easy);
  }
  while (done < n) {
    int running, left;
    curl_multi_perform(multi, &running);
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(multi, &left))) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL *easy = msg->easy_handle;
      CURLcode code = msg->data.result;
      Slot *s;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&s);
      curl_multi_remove_handle(multi, easy);
      slot_finish(s, code);
      done++;
      if (next < n) {
        slot_prepare(s, next++);
        curl_multi_add_handle(multi, easy);
      }
    }
    if (done < n) curl_multi_poll(multi, NULL, 0, 1000, NULL);
  }
}

int main(int argc, char **argv) {
  if (argc < 5) bench_die("usage", "raw_loop BASE_URL KEY seq N | raw_loop BASE_URL KEY multi N CONCURRENCY");
  base = argv[1];
  key = argv[2];
  long n = atol(argv[4]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  char key_header[320];
  snprintf(key_header, sizeof key_header, "X-API-KEY: %s", key);
  headers = curl_slist_append(NULL, key_header);
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");
  int sequential_mode = strcmp(argv[3], "seq") == 0;
  if (sequential_mode) {
    slot_init(&sequential);
  } else if (strcmp(argv[3], "multi") == 0 && argc > 5 && atoi(argv[5]) > 0) {
    slot_count = atoi(argv[5]);
    multi = curl_multi_init();
    slots = calloc(slot_count, sizeof *slots);
    if (!multi || !slots) bench_die("curl_multi_init", NULL);
    for (int k = 0; k < slot_count; k++) slot_init(&slots[k]);
  } else {
    bench_die("unknown mode", argv[3]);
  }
  void (*run)(long) = sequential_mode ? run_sequential : run_multi;
  run(bench_warmup(n));
  connects = 0;
  bench_forget_ids();
  double start = bench_now_ms(), cpu = bench_cpu_ms();
  BENCH_MEASURE_BEGIN();
  run(n);
  BENCH_MEASURE_END();
  double ms = bench_now_ms() - start;
  char extra[64];
  snprintf(extra, sizeof extra, ", \"connects\": %ld", connects);
  bench_report(ms, bench_cpu_ms() - cpu, n, extra);
  if (sequential_mode) {
    curl_easy_cleanup(sequential.easy);
    free(sequential.answer);
  } else {
    for (int k = 0; k < slot_count; k++) {
      curl_easy_cleanup(slots[k].easy);
      free(slots[k].answer);
    }
    free(slots);
    curl_multi_cleanup(multi);
  }
  curl_slist_free_all(headers);
  curl_global_cleanup();
  return 0;
}
