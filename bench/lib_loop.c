/* The library from C, doing what raw_loop.c does by hand: the same product built with jansson,
 * upserted, and the id read from the result.
 *   lib_loop BASE_URL KEY seq N              caffesta_product_upsert, one after the other
 *   lib_loop BASE_URL KEY many N C           one caffesta_products_upsert_many call, concurrency C
 *   lib_loop BASE_URL KEY many-progress N C  the same with a progress callback installed
 *   lib_loop BASE_URL KEY mem N              RSS after 1 000 warm-up upserts, then after N more
 * bench_warmup(N) items first (one bulk call for many), then N measured ones. Prints {"ms", "cpu_ms",
 * "items", "distinct_ids"} of the measured part (mem: also "rss_before_kb", "rss_after_kb"). */
#include "common.h"
#include <caffesta.h>

static caffesta_client *client;

static void check(caffesta_status status, const char *what) {
  if (status != CAFFESTA_OK) {
    fprintf(stderr, "bench: %s: %s: %s\n", what, caffesta_status_name(status), caffesta_last_error());
    exit(1);
  }
}

/* Reads the id the way a caller would: parse the result JSON with jansson. */
static void take_id(json_t *entry) {
  json_t *id = json_object_get(entry, "id");
  if (!json_is_integer(id)) bench_die("result", "no integer id");
  bench_saw_id(json_integer_value(id));
}

static void upsert_one(long i) {
  json_t *product = bench_product(i);
  char *body = json_dumps(product, JSON_COMPACT), *result = NULL;
  json_decref(product);
  check(caffesta_product_upsert(client, body, &result), "caffesta_product_upsert");
  json_t *parsed = json_loads(result, 0, NULL);
  take_id(parsed);
  json_decref(parsed);
  caffesta_string_free(result);
  free(body);
}

static void upsert_many(long n, int concurrency) {
  json_t *array = json_array();
  for (long i = 0; i < n; i++) json_array_append_new(array, bench_product(i));
  char *body = json_dumps(array, JSON_COMPACT), *report = NULL;
  json_decref(array);
  check(caffesta_products_upsert_many(client, body, concurrency, &report), "caffesta_products_upsert_many");
  json_t *entries = json_loads(report, 0, NULL);
  if (json_array_size(entries) != (size_t)n) bench_die("report", "wrong length");
  for (long i = 0; i < n; i++) take_id(json_array_get(entries, i));
  json_decref(entries);
  caffesta_string_free(report);
  free(body);
}

static void upsert_sequential(long n, int concurrency) {
  (void)concurrency;
  for (long i = 0; i < n; i++) upsert_one(i);
}

static long progress_calls;
static void on_progress(void *user_data, size_t done, size_t total) {
  (void)user_data; (void)done; (void)total;
  progress_calls++;
}

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) kb = atol(line + 6);
  if (f) fclose(f);
  return kb;
}

int main(int argc, char **argv) {
  if (argc < 5) bench_die("usage", "lib_loop BASE_URL KEY seq|many|many-progress|mem N [CONCURRENCY]");
  const char *mode = argv[3];
  long n = atol(argv[4]);
  client = caffesta_client_new("bench", argv[2]);
  if (!client) bench_die("caffesta_client_new", caffesta_last_error());
  check(caffesta_client_set_base_url(client, argv[1]), "caffesta_client_set_base_url");
  check(caffesta_client_set_max_retries(client, 0), "caffesta_client_set_max_retries"); /* fail loudly */

  if (strcmp(mode, "mem") == 0) {
    for (long i = 0; i < 1000; i++) upsert_one(i);
    long before = rss_kb();
    double start = bench_now_ms(), cpu = bench_cpu_ms();
    upsert_sequential(n, 1);
    double ms = bench_now_ms() - start;
    char extra[96];
    snprintf(extra, sizeof extra, ", \"rss_before_kb\": %ld, \"rss_after_kb\": %ld", before, rss_kb());
    bench_report(ms, bench_cpu_ms() - cpu, n, extra);
  } else {
    int progress = strcmp(mode, "many-progress") == 0;
    if (strcmp(mode, "seq") != 0 && !(strncmp(mode, "many", 4) == 0 && argc > 5)) bench_die("unknown mode", mode);
    if (progress) check(caffesta_client_set_progress(client, on_progress, NULL), "caffesta_client_set_progress");
    int concurrency = argc > 5 ? atoi(argv[5]) : 1;
    void (*run)(long, int) = strcmp(mode, "seq") == 0 ? upsert_sequential : upsert_many;
    run(bench_warmup(n), concurrency);
    bench_forget_ids();
    progress_calls = 0;
    double start = bench_now_ms(), cpu = bench_cpu_ms();
    BENCH_MEASURE_BEGIN();
    run(n, concurrency);
    BENCH_MEASURE_END();
    double ms = bench_now_ms() - start;
    if (progress && progress_calls != n) bench_die("progress", "not called per item");
    bench_report(ms, bench_cpu_ms() - cpu, n, "");
  }
  caffesta_client_free(client);
  return 0;
}
