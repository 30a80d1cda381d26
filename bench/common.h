/* Shared by the benchmark's C programs: the product every loop sends, a clock, a tally of
 * the ids the server answered (nginx answers data.id = its connection number, so the number
 * of distinct ids is the number of connections used), the one-line JSON result, and the marks
 * around the measured part that callgrind counts (run with --collect-atstart=no). */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <valgrind/callgrind.h>

/* Items each loop runs before the measured part (connections opened, symbols bound), as the
 * Python and PHP loops do: what is measured is the steady state. At most N: the same items. */
#define BENCH_WARMUP 20
static inline long bench_warmup(long n) { return n < BENCH_WARMUP ? n : BENCH_WARMUP; }

/* Under `valgrind --tool=callgrind --collect-atstart=no`, only what runs between these two
 * marks is counted, so the instructions per item leave out start-up and warm-up; outside
 * valgrind they cost a few instructions. */
#define BENCH_MEASURE_BEGIN() CALLGRIND_TOGGLE_COLLECT
#define BENCH_MEASURE_END() CALLGRIND_TOGGLE_COLLECT

/* The documented product body (Tests/samples/product_create.request.json), one per item. */
static inline json_t *bench_product(long i) {
  char ref[32], name[48];
  snprintf(ref, sizeof ref, "bench-%ld", i);
  snprintf(name, sizeof name, "Bench product %ld", i);
  return json_pack("{s:s, s:i, s:b, s:s, s:s, s:s, s:s, s:b, s:s, s:n, s:i, s:s, s:s, s:[{s:i, s:i, s:f, s:f}]}",
                   "ref_code", ref, "cancellation_type", 0, "for_sale", 1, "name", name, "measure", "pcs",
                   "barcode", "", "country", "", "use_discounts", 1, "type", "product", "weight_in_gram",
                   "caf_tax_id", 1, "category_ref_code", "cat2", "workspace_ref_code", "ws111", "prices",
                   "caf_shop_id", 2, "caf_storage_id", 1, "price", 0.6, "self_cost", 0.3);
}

static inline double bench_now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* CPU time of this process (user + system), ms: the client's own cost, whatever the server does. */
static inline double bench_cpu_ms(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static inline void bench_die(const char *what, const char *detail) {
  fprintf(stderr, "bench: %s: %s\n", what, detail ? detail : "");
  exit(1);
}

/* Distinct ids seen (a few: one per connection against nginx; many against the emulator). */
#define BENCH_MAX_IDS 1024
static long long bench_ids[BENCH_MAX_IDS];
static int bench_id_count, bench_ids_overflow;

static inline void bench_saw_id(long long id) {
  for (int k = 0; k < bench_id_count; k++)
    if (bench_ids[k] == id) return;
  if (bench_id_count < BENCH_MAX_IDS) bench_ids[bench_id_count++] = id;
  else bench_ids_overflow = 1;
}

/* Forgets the ids of the warm-up. */
static inline void bench_forget_ids(void) {
  bench_id_count = 0;
  bench_ids_overflow = 0;
}

/* One JSON line on stdout, what bench/bench.py reads: elapsed and CPU ms of the measured part,
 * items, distinct ids; `extra` adds fields (", \"connects\": 1") or is "". */
static inline void bench_report(double ms, double cpu_ms, long items, const char *extra) {
  printf("{\"ms\": %.3f, \"cpu_ms\": %.3f, \"items\": %ld, \"distinct_ids\": %d%s}\n", ms, cpu_ms, items,
         bench_ids_overflow ? -1 : bench_id_count, extra);
}

#endif
