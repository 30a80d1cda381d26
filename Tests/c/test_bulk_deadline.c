/* The bulk call against a slow or stalled server (issue 23): the concurrency asked is really in
 * flight (the emulator's request log: that many requests, over that many connections, before any
 * answer), the whole call ends within its deadline plus one second, and every item ends
 * delivered, failed with its delivery state, or not sent. */
#include "caffesta.h"
#include "harness.h"
#include <pthread.h>
#include <time.h>

#define BY_REF "/a/v1.0/product/by_ref_code/"

static caffesta_client *client_with_timeouts(long connect_ms, long request_ms) {
  caffesta_client *c = NULL;
  CHECK_STATUS(caffesta_client_create("demo", emulator_key(), &c), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_base_url(c, emulator_url()), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_timeouts(c, connect_ms, request_ms), CAFFESTA_OK);
  return c;
}

static char *items(const char *prefix, int count) {
  json_t *array = json_array();
  for (int i = 0; i < count; i++) {
    char ref[64];
    snprintf(ref, sizeof ref, "%s-%02d", prefix, i);
    json_array_append_new(array, json_pack("{s:s, s:s, s:s, s:i}", "ref_code", ref, "name", "Товар", "measure", "pcs",
                                           "caf_tax_id", 1));
  }
  char *text = json_dumps(array, JSON_COMPACT);
  json_decref(array);
  return text;
}

/* The emulator's log: how many API requests, and from how many connections (peers). */
static void requests_and_peers(size_t *requests, size_t *peers) {
  char *text = emulator_admin("GET", "/__emulator/requests", NULL);
  json_t *log = parsed(text);
  free(text);
  *requests = json_is_array(log) ? json_array_size(log) : 0;
  *peers = 0;
  for (size_t i = 0; i < *requests; i++) {
    json_t *peer = json_object_get(json_array_get(log, i), "peer");
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++) seen = json_equal(peer, json_object_get(json_array_get(log, j), "peer"));
    if (!seen) (*peers)++;
  }
  json_decref(log);
}

/* Counts the report's items by outcome, checking each is one of the three. */
typedef struct { size_t done, in_flight_timed_out, not_sent, other; } tally;

static tally count(json_t *report) {
  tally t = {0, 0, 0, 0};
  for (size_t i = 0; i < json_array_size(report); i++) {
    json_t *item = json_array_get(report, i);
    const char *action = text_of(item, "action");
    if (strcmp(action, "created") == 0 || strcmp(action, "updated") == 0) {
      t.done++;
    } else if (strcmp(action, "failed") == 0 && strcmp(text_of(item, "status"), "CAFFESTA_ERR_TIMEOUT") == 0 &&
               strcmp(text_of(item, "delivery"), "may_have_arrived") == 0) {
      t.in_flight_timed_out++;
    } else if (strcmp(action, "failed") == 0 && strcmp(text_of(item, "delivery"), "not_sent") == 0 &&
               strcmp(text_of(item, "message"), "not sent: the call's deadline passed before its turn") == 0) {
      t.not_sent++;
    } else {
      t.other++;
      fprintf(stderr, "  unexpected entry: %s %s %s\n", action, text_of(item, "status"), text_of(item, "message"));
    }
  }
  return t;
}

/* 8 items at concurrency 4, answers 3 s late, timeout 2 s: 4 in flight, 4 not sent. */
static void run_against(const char *fault, long timeout_ms) {
  emulator_reset();
  caffesta_client *c = client_with_timeouts(1000, timeout_ms);
  emulator_fault(fault);
  char *body = items("slow", 8);
  char *report_text = NULL;
  long long start = now_ms();
  CHECK_STATUS(caffesta_products_upsert_many(c, body, 4, &report_text), CAFFESTA_ERR_PARTIAL);
  long long took = now_ms() - start;
  CHECK(took < timeout_ms + 1000);
  if (took >= timeout_ms + 1000) fprintf(stderr, "  the call took %lld ms\n", took);
  json_t *report = parsed(report_text);
  caffesta_string_free(report_text);
  tally t = count(report);
  CHECK(t.done == 0 && t.in_flight_timed_out == 4 && t.not_sent == 4 && t.other == 0);
  if (t.done || t.in_flight_timed_out != 4 || t.not_sent != 4)
    fprintf(stderr, "  done %zu, timed out %zu, not sent %zu\n", t.done, t.in_flight_timed_out, t.not_sent);
  size_t requests, peers;
  requests_and_peers(&requests, &peers);
  CHECK(requests == 4); /* the concurrency asked, and not one more */
  if (requests != 4) fprintf(stderr, "  %zu requests from %zu peers\n", requests, peers);
  CHECK(peers == 4);    /* HTTP/1.1: one connection each */
  json_decref(report);
  free(body);
  caffesta_client_free(c);
}

static void test_delayed_answers_end_the_call_at_its_deadline(void) {
  run_against("{\"kind\":\"delay\",\"delay_ms\":3000,\"count\":8,\"method\":\"PUT\",\"path_prefix\":\"" BY_REF "\"}", 2000);
}

static void test_a_stalled_server_ends_the_call_at_its_deadline(void) {
  run_against("{\"kind\":\"hang\",\"delay_ms\":30000,\"count\":8,\"method\":\"PUT\",\"path_prefix\":\"" BY_REF "\"}", 2000);
}

/* A call object's timeout is the whole batch's deadline, even against a client timeout of a minute. */
static void test_a_call_timeout_bounds_the_whole_batch(void) {
  emulator_reset();
  caffesta_client *c = client_with_timeouts(1000, 60000);
  emulator_fault("{\"kind\":\"hang\",\"delay_ms\":30000,\"count\":20,\"method\":\"PUT\",\"path_prefix\":\"" BY_REF "\"}");
  caffesta_call *call = NULL;
  CHECK_STATUS(caffesta_call_create(&call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_set_timeout(call, 1500), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_OK);
  char *body = items("whole", 20);
  char *report_text = NULL;
  long long start = now_ms();
  CHECK_STATUS(caffesta_products_upsert_many(c, body, 4, &report_text), CAFFESTA_ERR_PARTIAL);
  CHECK(now_ms() - start < 2500);
  json_t *report = parsed(report_text);
  caffesta_string_free(report_text);
  tally t = count(report);
  CHECK(t.in_flight_timed_out == 4 && t.not_sent == 16 && t.other == 0);
  json_decref(report);
  free(body);
  caffesta_call_free(call);
  caffesta_client_free(c);
}

/* A slow server that keeps answering is not cut: the deadline counts from its last answer. */
static void test_a_slow_but_answering_server_is_not_cut(void) {
  emulator_reset();
  caffesta_client *c = client_with_timeouts(1000, 1500);
  free(emulator_admin("POST", "/__emulator/config", "{\"delay_ms\": 300}"));
  char *body = items("steady", 12);
  char *report_text = NULL;
  long long start = now_ms();
  /* 12 items, 2 at a time, each PUT 404 + POST at 300 ms: about 3.6 s, more than the 1.5 s timeout. */
  CHECK_STATUS(caffesta_products_upsert_many(c, body, 2, &report_text), CAFFESTA_OK);
  CHECK(now_ms() - start > 1500);
  json_t *report = parsed(report_text);
  caffesta_string_free(report_text);
  CHECK(count(report).done == 12);
  free(emulator_admin("POST", "/__emulator/config", "{\"delay_ms\": 0}"));
  json_decref(report);
  free(body);
  caffesta_client_free(c);
}

/* Concurrency 8: eight requests at the server at once, on eight connections; a cancel of the
 * call object cuts them all. */
typedef struct {
  caffesta_client *client;
  caffesta_call *call;
  char *body;
  caffesta_status status;
  char *report;
} bulk_run;

static void *run_bulk(void *arg) {
  bulk_run *run = arg;
  CHECK_STATUS(caffesta_call_next(run->call), CAFFESTA_OK);
  run->status = caffesta_products_upsert_many(run->client, run->body, 8, &run->report);
  return NULL;
}

static void test_the_concurrency_asked_is_in_flight(void) {
  emulator_reset();
  caffesta_client *c = client_with_timeouts(1000, 60000);
  emulator_fault("{\"kind\":\"hang\",\"delay_ms\":30000,\"count\":8,\"method\":\"PUT\",\"path_prefix\":\"" BY_REF "\"}");
  bulk_run run = {c, NULL, items("eight", 24), 0, NULL};
  CHECK_STATUS(caffesta_call_create(&run.call), CAFFESTA_OK);
  pthread_t thread;
  pthread_create(&thread, NULL, run_bulk, &run);
  size_t requests = 0, peers = 0;
  for (int i = 0; i < 3000 && requests < 8; i++) {
    requests_and_peers(&requests, &peers);
    if (requests < 8) sleep_ms(10);
  }
  CHECK(requests == 8 && peers == 8); /* all eight held at once, none answered yet */
  caffesta_call_cancel(run.call);
  pthread_join(thread, NULL);
  CHECK(run.status == CAFFESTA_ERR_CANCELLED);
  json_t *report = parsed(run.report);
  caffesta_string_free(run.report);
  size_t cut = 0, never_sent = 0;
  for (size_t i = 0; i < json_array_size(report); i++) {
    json_t *item = json_array_get(report, i);
    if (strcmp(text_of(item, "action"), "cancelled") == 0) never_sent++;
    else if (strcmp(text_of(item, "status"), "CAFFESTA_ERR_CANCELLED") == 0 &&
             strcmp(text_of(item, "delivery"), "may_have_arrived") == 0) cut++;
  }
  CHECK(cut == 8 && never_sent == 16);
  requests_and_peers(&requests, &peers);
  CHECK(requests == 8);
  json_decref(report);
  free(run.body);
  caffesta_call_free(run.call);
  caffesta_client_free(c);
}

int main(void) {
  const test_case tests[] = {
    {"delayed_answers_end_the_call_at_its_deadline", test_delayed_answers_end_the_call_at_its_deadline},
    {"a_stalled_server_ends_the_call_at_its_deadline", test_a_stalled_server_ends_the_call_at_its_deadline},
    {"a_call_timeout_bounds_the_whole_batch", test_a_call_timeout_bounds_the_whole_batch},
    {"a_slow_but_answering_server_is_not_cut", test_a_slow_but_answering_server_is_not_cut},
    {"the_concurrency_asked_is_in_flight", test_the_concurrency_asked_is_in_flight},
  };
  return run_tests(tests, sizeof tests / sizeof tests[0]);
}
