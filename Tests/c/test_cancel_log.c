/* caffesta_client_cancel and the request log (caffesta_client_set_log) against the emulator.
 * Cancel: from another thread, from the progress callback and from a signal handler, at several
 * points of a 2 000-item batch with every answer delayed; the emulator's request log proves that
 * no cancelled item was sent, the report holds every item, and the client works afterwards.
 * Log: a retry after 503 with Retry-After, a timeout, a reused connection, and never the key or
 * a body in any event. */
#include "caffesta.h"
#include "harness.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>

static caffesta_client *client;

static json_t *batch(const char *prefix, int count) {
  json_t *items = json_array();
  for (int i = 0; i < count; i++) {
    char ref[64];
    snprintf(ref, sizeof ref, "%s-%05d", prefix, i);
    json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:i}", "ref_code", ref, "name", "Товар",
                                           "measure", "pcs", "caf_tax_id", 1));
  }
  return items;
}

/* ---- Cancelling a bulk call ---- */

typedef enum { FROM_THREAD, FROM_CALLBACK, FROM_SIGNAL } cancel_source;

typedef struct {
  size_t done;           /* written by the progress callback, read by the canceller thread */
  size_t cancel_at;      /* cancel once this many items have finished */
  cancel_source source;
  pthread_t caller;      /* the thread running the batch (the signal's target) */
} cancel_plan;

static void on_progress(void *user_data, size_t done, size_t total) {
  (void)total;
  cancel_plan *plan = user_data;
  __atomic_store_n(&plan->done, done, __ATOMIC_SEQ_CST);
  if (plan->source == FROM_CALLBACK && done == plan->cancel_at) caffesta_client_cancel(client);
}

static void on_sigusr1(int signal_number) {
  (void)signal_number;
  caffesta_client_cancel(client); /* async-signal-safe */
}

static void *canceller(void *arg) {
  cancel_plan *plan = arg;
  while (__atomic_load_n(&plan->done, __ATOMIC_SEQ_CST) < plan->cancel_at) sleep_ms(1);
  if (plan->source == FROM_SIGNAL) pthread_kill(plan->caller, SIGUSR1);
  else caffesta_client_cancel(client);
  return NULL;
}

/* Whether the emulator received any request for ref_code (a PUT by its path, a POST by its body). */
static int was_sent(json_t *requests, const char *ref_code) {
  char path[128], body_key[128];
  snprintf(path, sizeof path, "/a/v1.0/product/by_ref_code/%s", ref_code);
  snprintf(body_key, sizeof body_key, "\"ref_code\":\"%s\"", ref_code);
  size_t i;
  json_t *request;
  json_array_foreach(requests, i, request) {
    const char *p = json_string_value(json_object_get(request, "path"));
    const char *body = json_string_value(json_object_get(request, "body"));
    if (p && strcmp(p, path) == 0) return 1;
    if (body && strstr(body, body_key)) return 1;
  }
  return 0;
}

/* One cancelled 2 000-item batch: checks the status, the report and the emulator's log. */
static void cancel_batch(cancel_source source, size_t cancel_at, const char *prefix) {
  emulator_reset();
  free(emulator_admin("POST", "/__emulator/config", "{\"delay_ms\": 10}"));
  long before = emulator_stat("products");
  json_t *items = batch(prefix, 2000);
  char *text = json_dumps(items, JSON_COMPACT);
  cancel_plan plan = {0, cancel_at, source, pthread_self()};
  CHECK_STATUS(caffesta_client_set_progress(client, on_progress, &plan), CAFFESTA_OK);
  pthread_t thread;
  int threaded = source != FROM_CALLBACK;
  if (threaded) pthread_create(&thread, NULL, canceller, &plan);
  char *report_text = NULL;
  CHECK_STATUS(caffesta_products_upsert_many(client, text, 8, &report_text), CAFFESTA_ERR_CANCELLED);
  if (threaded) pthread_join(thread, NULL);
  caffesta_client_set_progress(client, NULL, NULL);
  free(emulator_admin("POST", "/__emulator/config", "{\"delay_ms\": 0}"));

  json_t *report = parsed(report_text);
  caffesta_string_free(report_text);
  json_t *requests = request_log();
  CHECK(json_is_array(report) && json_array_size(report) == 2000);
  CHECK(json_is_array(requests));
  size_t created = 0, cancelled = 0, other = 0, cancelled_but_sent = 0, created_not_sent = 0;
  for (size_t i = 0; i < json_array_size(report); i++) {
    json_t *entry = json_array_get(report, i);
    const char *ref = json_string_value(json_object_get(entry, "ref_code"));
    const char *action = json_string_value(json_object_get(entry, "action"));
    const char *expected = json_string_value(json_object_get(json_array_get(items, i), "ref_code"));
    if (!ref || !action || strcmp(ref, expected) != 0) { other++; continue; }
    if (strcmp(action, "created") == 0) {
      created++;
      if (!was_sent(requests, ref)) created_not_sent++;
    } else if (strcmp(action, "cancelled") == 0) {
      cancelled++;
      if (was_sent(requests, ref)) cancelled_but_sent++;
    } else {
      other++;
    }
  }
  CHECK(created + cancelled == 2000 && other == 0);
  CHECK(created >= cancel_at);      /* everything finished before the cancel is there */
  CHECK(cancelled > 1000);          /* and the cancel stopped the rest, early */
  CHECK(cancelled_but_sent == 0);   /* no item both cancelled and sent */
  CHECK(created_not_sent == 0);
  CHECK(emulator_stat("products") - before == (long)created);
  if (cancelled_but_sent || other) fprintf(stderr, "  %zu cancelled items were sent, %zu odd entries\n",
                                           cancelled_but_sent, other);
  json_decref(requests);
  json_decref(report);

  /* The client runs the next calls normally: the last items, all cancelled, go through now. */
  json_t *tail = json_array();
  for (size_t i = 1990; i < 2000; i++) json_array_append(tail, json_array_get(items, i));
  char *tail_text = json_dumps(tail, JSON_COMPACT);
  char *again = NULL;
  CHECK_STATUS(caffesta_products_upsert_many(client, tail_text, 8, &again), CAFFESTA_OK);
  CHECK(again && strstr(again, "\"created\"") && !strstr(again, "\"cancelled\""));
  caffesta_string_free(again);
  free(tail_text);
  json_decref(tail);
  CHECK(emulator_stat("products") - before == (long)created + 10);
  CHECK_STATUS(caffesta_auth_test(client), CAFFESTA_OK);
  free(text);
  json_decref(items);
}

static void test_cancel_from_another_thread(void) {
  cancel_batch(FROM_THREAD, 1, "thr1");   /* right after the first item */
  cancel_batch(FROM_THREAD, 150, "thr150");
}

static void test_cancel_from_the_progress_callback(void) {
  cancel_batch(FROM_CALLBACK, 1, "cb1");
  cancel_batch(FROM_CALLBACK, 400, "cb400");
}

static void test_cancel_from_a_signal_handler(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_sigusr1;
  sigemptyset(&action.sa_mask);
  sigaction(SIGUSR1, &action, NULL);
  cancel_batch(FROM_SIGNAL, 1, "sig1");
  cancel_batch(FROM_SIGNAL, 250, "sig250");
  signal(SIGUSR1, SIG_DFL);
}

/* Items waiting to retry are not retried; the report says CANCELLED with the last attempt. */
static void test_cancel_stops_retries_in_a_batch(void) {
  emulator_reset();
  emulator_fault("{\"kind\":\"status\",\"status\":503,\"retry_after\":20,\"count\":1,"
                 "\"path_prefix\":\"/a/v1.0/product/by_ref_code/wait-00001\"}");
  json_t *items = batch("wait", 3);
  char *text = json_dumps(items, JSON_COMPACT);
  cancel_plan plan = {0, 2, FROM_THREAD, pthread_self()};
  CHECK_STATUS(caffesta_client_set_progress(client, on_progress, &plan), CAFFESTA_OK);
  pthread_t thread;
  pthread_create(&thread, NULL, canceller, &plan);
  char *report_text = NULL;
  CHECK_STATUS(caffesta_products_upsert_many(client, text, 4, &report_text), CAFFESTA_ERR_CANCELLED);
  pthread_join(thread, NULL);
  caffesta_client_set_progress(client, NULL, NULL);
  json_t *report = parsed(report_text);
  json_t *waiting = json_array_get(report, 1);
  CHECK(strcmp(json_string_value(json_object_get(waiting, "action")), "failed") == 0);
  CHECK(strcmp(json_string_value(json_object_get(waiting, "status")), "CAFFESTA_ERR_CANCELLED") == 0);
  CHECK(strstr(json_string_value(json_object_get(waiting, "message")), "HTTP 503") != NULL);
  CHECK(strcmp(json_string_value(json_object_get(json_array_get(report, 0), "action")), "created") == 0);
  CHECK(strcmp(json_string_value(json_object_get(json_array_get(report, 2), "action")), "created") == 0);
  caffesta_string_free(report_text);
  json_decref(report);
  free(text);
  json_decref(items);
}

static void *cancel_after_200ms(void *arg) {
  (void)arg;
  sleep_ms(200);
  caffesta_client_cancel(client);
  return NULL;
}

/* A single call ends at its retry decision: here during a 20 s Retry-After wait. */
static void test_cancel_ends_a_single_call_at_its_retry(void) {
  emulator_reset();
  free(emulator_admin("DELETE", "/__emulator/requests", NULL));
  emulator_fault("{\"kind\":\"status\",\"status\":503,\"retry_after\":20,\"count\":1,\"path_prefix\":\"" AUTH_PATH "\"}");
  pthread_t thread;
  pthread_create(&thread, NULL, cancel_after_200ms, NULL);
  CHECK_STATUS(caffesta_auth_test(client), CAFFESTA_ERR_CANCELLED);
  pthread_join(thread, NULL);
  CHECK(strstr(caffesta_last_error(), "cancelled") != NULL);
  CHECK(caffesta_last_http_status() == 503);
  json_t *requests = request_log();
  CHECK(json_array_size(requests) == 1); /* never retried */
  json_decref(requests);
  CHECK_STATUS(caffesta_auth_test(client), CAFFESTA_OK);
}

/* A cancel while no call runs changes nothing: the flag is not sticky. */
static void test_cancel_without_a_call_is_not_sticky(void) {
  emulator_reset();
  caffesta_client_cancel(client);
  caffesta_client_cancel(NULL);
  char *report = NULL;
  CHECK_STATUS(caffesta_products_upsert_many(client, "[{\"ref_code\":\"calm\",\"name\":\"x\"}]", 2, &report),
               CAFFESTA_OK);
  CHECK(report && strstr(report, "\"created\""));
  caffesta_string_free(report);
  CHECK_STATUS(caffesta_auth_test(client), CAFFESTA_OK);
}

/* ---- The request log ---- */

typedef struct {
  char text[1 << 16]; /* every event, one per line */
  size_t length, count;
  pthread_t thread;
  int other_thread;
} event_log;

static void on_event(void *user_data, const char *event_json) {
  event_log *log = user_data;
  if (!pthread_equal(pthread_self(), log->thread)) log->other_thread = 1;
  size_t n = strlen(event_json);
  if (log->length + n + 2 < sizeof log->text) {
    memcpy(log->text + log->length, event_json, n);
    log->length += n;
    log->text[log->length++] = '\n';
    log->text[log->length] = '\0';
  }
  log->count++;
}

static void start_log(event_log *log) {
  memset(log, 0, sizeof *log);
  log->thread = pthread_self();
  CHECK_STATUS(caffesta_client_set_log(client, on_event, log), CAFFESTA_OK);
}

/* Event number `index` (from 0) of the log, parsed; the caller decrefs. */
static json_t *event_at(const event_log *log, size_t index) {
  const char *line = log->text;
  for (size_t i = 0; i < index && line; i++) {
    line = strchr(line, '\n');
    if (line) line++;
  }
  if (!line || !*line) return NULL;
  const char *end = strchr(line, '\n');
  return json_loadb(line, end ? (size_t)(end - line) : strlen(line), 0, NULL);
}

static const char *str(json_t *event, const char *key) { return json_string_value(json_object_get(event, key)); }
static json_int_t num(json_t *event, const char *key) { return json_integer_value(json_object_get(event, key)); }

static void test_log_retry_after_503(void) {
  emulator_reset();
  event_log log;
  start_log(&log);
  emulator_fault("{\"kind\":\"status\",\"status\":503,\"retry_after\":1,\"count\":1,\"path_prefix\":\"" AUTH_PATH "\"}");
  CHECK_STATUS(caffesta_auth_test(client), CAFFESTA_OK);
  caffesta_client_set_log(client, NULL, NULL);
  CHECK(log.count == 2);
  json_t *first = event_at(&log, 0), *second = event_at(&log, 1);
  CHECK(first && second);
  if (first && second) {
    CHECK(strcmp(str(first, "method"), "GET") == 0 && strcmp(str(first, "path"), AUTH_PATH) == 0);
    CHECK(num(first, "attempt") == 1 && num(second, "attempt") == 2);
    CHECK(num(first, "http_status") == 503 && json_is_null(json_object_get(first, "failure")));
    CHECK(strcmp(str(first, "status"), "CAFFESTA_ERR_SERVER") == 0);
    CHECK(json_is_true(json_object_get(first, "retry")));
    CHECK(num(first, "retry_delay_ms") == 1000 && num(first, "retry_after_s") == 1);
    CHECK(num(second, "http_status") == 200 && strcmp(str(second, "status"), "CAFFESTA_OK") == 0);
    CHECK(json_is_false(json_object_get(second, "retry")) && json_is_null(json_object_get(second, "retry_delay_ms")));
    CHECK(json_is_null(json_object_get(second, "retry_after_s")));
    CHECK(num(first, "bytes_sent") > 0 && num(first, "bytes_received") > 0 && num(first, "elapsed_ms") >= 0);
    CHECK(json_object_get(first, "item") == NULL);
  }
  json_decref(first);
  json_decref(second);
}

static void test_log_timeout(void) {
  emulator_reset();
  caffesta_client *c = caffesta_client_new("demo", emulator_key());
  caffesta_client_set_base_url(c, emulator_url());
  CHECK_STATUS(caffesta_client_set_timeouts(c, 500, 500), CAFFESTA_OK);
  event_log log;
  memset(&log, 0, sizeof log);
  log.thread = pthread_self();
  CHECK_STATUS(caffesta_client_set_log(c, on_event, &log), CAFFESTA_OK);
  emulator_fault("{\"kind\":\"hang\",\"delay_ms\":3000,\"count\":1,\"path_prefix\":\"" AUTH_PATH "\"}");
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_TIMEOUT);
  CHECK(log.count == 1);
  json_t *event = event_at(&log, 0);
  CHECK(event != NULL);
  if (event) {
    CHECK(json_is_null(json_object_get(event, "http_status")));
    CHECK(str(event, "failure") && strstr(str(event, "failure"), "imeout") != NULL);
    CHECK(strcmp(str(event, "status"), "CAFFESTA_ERR_TIMEOUT") == 0);
    CHECK(json_is_false(json_object_get(event, "retry")));
    CHECK(num(event, "elapsed_ms") >= 400);
  }
  json_decref(event);
  caffesta_client_free(c);
}

static void test_log_shows_new_then_reused_connections(void) {
  emulator_reset();
  caffesta_client *c = caffesta_client_new("demo", emulator_key());
  caffesta_client_set_base_url(c, emulator_url());
  event_log log;
  memset(&log, 0, sizeof log);
  log.thread = pthread_self();
  CHECK_STATUS(caffesta_client_set_log(c, on_event, &log), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  CHECK(log.count == 2);
  json_t *first = event_at(&log, 0), *second = event_at(&log, 1);
  CHECK(first && strcmp(str(first, "connection"), "new") == 0);
  CHECK(second && strcmp(str(second, "connection"), "reused") == 0);
  json_decref(first);
  json_decref(second);
  caffesta_client_free(c);
}

/* A body is counted once in bytes_sent, whether libcurl sends it with the headers (PUT) or
 * through the read callback (POST). */
static void test_log_counts_a_body_once(void) {
  emulator_reset();
  event_log log;
  start_log(&log);
  char product[3200];
  char name[3001];
  memset(name, 'x', 3000);
  name[3000] = '\0';
  snprintf(product, sizeof product, "{\"ref_code\":\"sized\",\"name\":\"%s\"}", name);
  char *out = NULL;
  CHECK_STATUS(caffesta_product_upsert(client, product, &out), CAFFESTA_OK);
  caffesta_string_free(out);
  caffesta_client_set_log(client, NULL, NULL);
  CHECK(log.count == 2);
  json_t *put = event_at(&log, 0), *post = event_at(&log, 1);
  long long body = (long long)strlen(product);
  CHECK(put && strcmp(str(put, "method"), "PUT") == 0 && post && strcmp(str(post, "method"), "POST") == 0);
  if (put && post) {
    CHECK(num(put, "bytes_sent") > body && num(put, "bytes_sent") < body + 1000);
    CHECK(num(post, "bytes_sent") > body && num(post, "bytes_sent") < body + 1000);
  }
  json_decref(put);
  json_decref(post);
}

/* Bulk events come on the calling thread, name their item, and no event holds the key, a
 * request body or an answer body. */
static void test_log_never_holds_the_key_or_a_body(void) {
  emulator_reset();
  static event_log log;
  start_log(&log);
  const char *secret_name = "Customer-Ivanov-+375291234567";
  char product[256];
  snprintf(product, sizeof product, "{\"ref_code\":\"logged\",\"name\":\"%s\"}", secret_name);
  char *out = NULL;
  CHECK_STATUS(caffesta_product_upsert(client, product, &out), CAFFESTA_OK);
  caffesta_string_free(out);
  emulator_fault("{\"kind\":\"body\",\"status\":200,\"count\":1,\"path_prefix\":\"/a/v1.0/product/by_ref_code/bulk-b\","
                 "\"json\":{\"success\":false,\"data\":{\"error\":\"server-text-Petrov-555\"}}}");
  char *report = NULL;
  CHECK_STATUS(caffesta_products_upsert_many(client,
      "[{\"ref_code\":\"bulk-a\",\"name\":\"Customer-Ivanov-+375291234567\"},{\"ref_code\":\"bulk-b\",\"name\":\"n\"}]",
      2, &report), CAFFESTA_ERR_PARTIAL);
  caffesta_string_free(report);
  caffesta_client_set_log(client, NULL, NULL);
  CHECK(log.count >= 5); /* PUT 404 + POST for "logged" and "bulk-a", the failing PUT of "bulk-b" */
  CHECK(!log.other_thread);
  CHECK(strstr(log.text, emulator_key()) == NULL);
  CHECK(strstr(log.text, secret_name) == NULL);
  CHECK(strstr(log.text, "server-text-Petrov") == NULL);
  CHECK(strstr(log.text, "\"item\":1") != NULL && strstr(log.text, "/by_ref_code/bulk-b") != NULL);
  CHECK(strstr(log.text, "\"status\":\"CAFFESTA_ERR_API\"") != NULL);
}

int main(void) {
  client = caffesta_client_new("demo", emulator_key());
  caffesta_client_set_base_url(client, emulator_url());
  static const test_case tests[] = {
    {"cancel_from_another_thread", test_cancel_from_another_thread},
    {"cancel_from_the_progress_callback", test_cancel_from_the_progress_callback},
    {"cancel_from_a_signal_handler", test_cancel_from_a_signal_handler},
    {"cancel_stops_retries_in_a_batch", test_cancel_stops_retries_in_a_batch},
    {"cancel_ends_a_single_call_at_its_retry", test_cancel_ends_a_single_call_at_its_retry},
    {"cancel_without_a_call_is_not_sticky", test_cancel_without_a_call_is_not_sticky},
    {"log_retry_after_503", test_log_retry_after_503},
    {"log_timeout", test_log_timeout},
    {"log_shows_new_then_reused_connections", test_log_shows_new_then_reused_connections},
    {"log_counts_a_body_once", test_log_counts_a_body_once},
    {"log_never_holds_the_key_or_a_body", test_log_never_holds_the_key_or_a_body},
  };
  int rc = run_tests(tests, sizeof tests / sizeof *tests);
  caffesta_client_free(client);
  return rc;
}
