/* Call objects (caffesta_call_*) against the emulator: one call's own timeout, a cancel that cuts
 * one call in flight from another thread and nothing else, and asynchronous completion of every
 * result kind on the library's thread — many calls in flight on one thread, client_free with
 * calls in flight, a call freed while pending, fork. Tests wait on events (the emulator's
 * request log, done callbacks), never on sleeps; the few time bounds are far above what the
 * behaviour needs (a cancel is asked to act within 100 ms; the tests allow seconds). */
#include "caffesta.h"
#include "harness.h"
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PRODUCT "{\"ref_code\":\"call-1\",\"name\":\"Латте\",\"measure\":\"pcs\",\"caf_tax_id\":1}"
#define INVOICE "{\"number\":\"C-1\",\"date\":\"2024-03-01 10:00\",\"storage\":{\"caf_id\":1}," \
                "\"items\":[{\"amount\":1,\"product_code\":\"1\",\"price\":2}]}"

/* Waits until the emulator has received `count` requests (an event, polled). */
static int await_requests(size_t count) {
  for (int i = 0; i < 3000; i++) {
    if (log_length() >= count) return 1;
    sleep_ms(10);
  }
  return 0;
}

/* ---- One call's own timeout ---- */

static void test_a_call_timeout_bounds_that_call_only(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  emulator_fault("{\"kind\": \"delay\", \"delay_ms\": 3000, \"path_prefix\": \"" AUTH_PATH "\"}");
  caffesta_call *call = NULL;
  CHECK_STATUS(caffesta_call_create(&call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_set_timeout(call, 300), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_OK);
  long long start = now_ms();
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_TIMEOUT);
  CHECK(now_ms() - start < 2500);
  CHECK(caffesta_last_delivery() == CAFFESTA_MAY_HAVE_ARRIVED);
  /* The call object keeps the outcome too. */
  CHECK(caffesta_call_status(call) == CAFFESTA_ERR_TIMEOUT);
  CHECK(caffesta_call_delivery(call) == CAFFESTA_MAY_HAVE_ARRIVED);
  CHECK(strstr(caffesta_call_error(call), "storage/test") != NULL);
  /* The next call, not under the object, has the client's timeout again. */
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  CHECK(caffesta_last_delivery() == CAFFESTA_ANSWERED);
  /* Bad timeouts are refused. */
  CHECK_STATUS(caffesta_call_set_timeout(call, -1), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_call_set_timeout(call, 25LL * 3600 * 1000), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_call_set_timeout(NULL, 10), CAFFESTA_ERR_INVALID_ARGUMENT);
  caffesta_call_free(call);
  caffesta_client_free(c);
}

static void test_a_call_timeout_longer_than_the_clients_does_not_extend_it(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  CHECK_STATUS(caffesta_client_set_timeouts(c, 200, 400), CAFFESTA_OK);
  emulator_fault("{\"kind\": \"hang\", \"delay_ms\": 5000, \"path_prefix\": \"" AUTH_PATH "\"}");
  caffesta_call *call = NULL;
  CHECK_STATUS(caffesta_call_create(&call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_set_timeout(call, 60000), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_OK);
  long long start = now_ms();
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_TIMEOUT);
  CHECK(now_ms() - start < 3000);
  caffesta_call_free(call);
  caffesta_client_free(c);
}

/* ---- Cancelling one call ---- */

typedef struct {
  caffesta_client *client;
  caffesta_call *call;
  caffesta_status status;
  caffesta_delivery delivery;
  long long ended_at;
  int done; /* atomic */
} sync_call;

static void *run_auth_test(void *arg) {
  sync_call *s = arg;
  CHECK_STATUS(caffesta_call_next(s->call), CAFFESTA_OK);
  s->status = caffesta_auth_test(s->client);
  s->delivery = caffesta_last_delivery();
  s->ended_at = now_ms();
  __atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static void test_cancel_cuts_one_of_two_calls_in_flight(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  emulator_fault("{\"kind\": \"hang\", \"delay_ms\": 60000, \"count\": 2, \"path_prefix\": \"" AUTH_PATH "\"}");
  sync_call a = {c, NULL, 0, 0, 0, 0}, b = {c, NULL, 0, 0, 0, 0};
  CHECK_STATUS(caffesta_call_create(&a.call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_create(&b.call), CAFFESTA_OK);
  pthread_t ta, tb;
  pthread_create(&ta, NULL, run_auth_test, &a);
  pthread_create(&tb, NULL, run_auth_test, &b);
  CHECK(await_requests(2)); /* both requests are at the server, held */
  long long cancelled_at = now_ms();
  caffesta_call_cancel(a.call);
  pthread_join(ta, NULL);
  CHECK(a.status == CAFFESTA_ERR_CANCELLED);
  CHECK(a.delivery == CAFFESTA_MAY_HAVE_ARRIVED); /* the request had gone out */
  CHECK(a.ended_at - cancelled_at < 2000);        /* cut, not waited out (the hang is 60 s) */
  CHECK(__atomic_load_n(&b.done, __ATOMIC_SEQ_CST) == 0); /* the other call runs on */
  CHECK(caffesta_call_status(b.call) == CAFFESTA_OK);      /* nothing recorded on it yet */
  caffesta_call_cancel(b.call);
  pthread_join(tb, NULL);
  CHECK(b.status == CAFFESTA_ERR_CANCELLED);
  /* The client serves the next call as usual. */
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  caffesta_call_free(a.call);
  caffesta_call_free(b.call);
  caffesta_client_free(c);
}

static void test_a_cancelled_call_object_sends_nothing(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  caffesta_call *call = NULL;
  CHECK_STATUS(caffesta_call_create(&call), CAFFESTA_OK);
  caffesta_call_cancel(call);
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_OK);
  long long id = 7;
  CHECK_STATUS(caffesta_invoice_create(c, INVOICE, &id), CAFFESTA_ERR_CANCELLED);
  CHECK(id == 0);
  CHECK(caffesta_last_delivery() == CAFFESTA_NOT_SENT);
  CHECK(strstr(caffesta_last_error(), "not created: sending it again is safe") != NULL);
  CHECK(log_length() == 0);
  CHECK(emulator_stat("invoices") == 0);
  /* Sticky: the next call under it is cancelled too. */
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_CANCELLED);
  CHECK(log_length() == 0);
  caffesta_call_cancel(NULL); /* a no-op */
  caffesta_call_free(call);
  caffesta_client_free(c);
}

static void test_an_armed_call_applies_to_the_next_request_only(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  caffesta_call *call = NULL;
  CHECK_STATUS(caffesta_call_create(&call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_OK);
  caffesta_call_free(call); /* the library keeps its reference until the call */
  CHECK_STATUS(caffesta_client_set_max_retries(c, 1), CAFFESTA_OK); /* a setter does not take it */
  char *json = NULL;
  CHECK_STATUS(caffesta_product_get(c, "1", &json), CAFFESTA_OK); /* runs under it */
  caffesta_string_free(json);
  /* Disarming with NULL; arming a NULL call after a cancel has no effect on later calls. */
  caffesta_call *other = NULL;
  CHECK_STATUS(caffesta_call_create(&other), CAFFESTA_OK);
  caffesta_call_cancel(other);
  CHECK_STATUS(caffesta_call_next(other), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_next(NULL), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  caffesta_call_free(other);
  caffesta_client_free(c);
}

/* ---- Asynchronous calls ---- */

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int finished;
  int wrong_thread;
  pthread_t caller;
} completions;

static completions *completions_new(void) {
  completions *w = calloc(1, sizeof *w);
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->cond, NULL);
  w->caller = pthread_self();
  return w;
}

static void completions_free(completions *w) {
  pthread_mutex_destroy(&w->lock);
  pthread_cond_destroy(&w->cond);
  free(w);
}

static void on_done(void *user_data, caffesta_call *call) {
  (void)call;
  completions *w = user_data;
  pthread_mutex_lock(&w->lock);
  if (pthread_equal(pthread_self(), w->caller)) w->wrong_thread++;
  w->finished++;
  pthread_cond_broadcast(&w->cond);
  pthread_mutex_unlock(&w->lock);
}

static int await_completions(completions *w, int count) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 60;
  pthread_mutex_lock(&w->lock);
  while (w->finished < count) {
    if (pthread_cond_timedwait(&w->cond, &w->lock, &until) != 0) break;
  }
  int reached = w->finished >= count;
  pthread_mutex_unlock(&w->lock);
  return reached;
}

static caffesta_call *async_call(completions *w) {
  caffesta_call *call = NULL;
  CHECK_STATUS(caffesta_call_create(&call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_set_done(call, on_done, w), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_OK);
  return call;
}

static void test_asynchronous_calls_of_every_result_kind(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  completions *w = completions_new();
  char *untouched = (char *)"sentinel";
  char *json = untouched;
  long long id = 99;

  caffesta_call *nothing = async_call(w);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_PENDING);
  CHECK(caffesta_last_error()[0] == '\0');
  caffesta_call *text = async_call(w);
  CHECK_STATUS(caffesta_product_upsert(c, PRODUCT, &json), CAFFESTA_PENDING);
  CHECK(json == untouched); /* outputs untouched */
  caffesta_call *created = async_call(w);
  CHECK_STATUS(caffesta_invoice_create(c, INVOICE, &id), CAFFESTA_PENDING);
  CHECK(id == 99);
  caffesta_call *bulk = async_call(w);
  CHECK_STATUS(caffesta_products_upsert_many(c, "[" PRODUCT ",{\"name\":\"no ref\"}]", 2, &json), CAFFESTA_PENDING);
  caffesta_call *failing = async_call(w);
  CHECK_STATUS(caffesta_product_get(c, "no-such-product", &json), CAFFESTA_PENDING);
  CHECK(json == untouched);
  CHECK(caffesta_call_status(text) == CAFFESTA_PENDING || caffesta_call_status(text) == CAFFESTA_OK);

  CHECK(await_completions(w, 5));
  CHECK(w->wrong_thread == 0); /* done() ran on the library's thread */

  CHECK(caffesta_call_status(nothing) == CAFFESTA_OK);
  CHECK(caffesta_call_delivery(nothing) == CAFFESTA_ANSWERED);
  CHECK(caffesta_call_http_status(nothing) == 200);

  char *result = NULL;
  CHECK_STATUS(caffesta_call_take_result(text, &result), CAFFESTA_OK);
  json_t *upserted = parsed(result);
  CHECK(strcmp(text_of(upserted, "ref_code"), "call-1") == 0);
  CHECK(strcmp(text_of(upserted, "action"), "created") == 0);
  json_decref(upserted);
  caffesta_string_free(result);
  CHECK_STATUS(caffesta_call_take_result(text, &result), CAFFESTA_OK); /* taken once */
  CHECK(result == NULL);

  CHECK(caffesta_call_status(created) == CAFFESTA_OK);
  CHECK(caffesta_call_id(created) > 0);
  CHECK(emulator_stat("invoices") == 1);

  CHECK_STATUS(caffesta_call_take_result(bulk, &result), CAFFESTA_ERR_PARTIAL);
  json_t *report = parsed(result);
  CHECK(json_array_size(report) == 2);
  /* the single upsert of the same ref_code ran side by side: either made it */
  CHECK(strcmp(text_of(json_array_get(report, 0), "action"), "updated") == 0 ||
        strcmp(text_of(json_array_get(report, 0), "action"), "created") == 0);
  CHECK(strcmp(text_of(json_array_get(report, 1), "action"), "failed") == 0);
  CHECK(strcmp(text_of(json_array_get(report, 1), "delivery"), "not_sent") == 0);
  json_decref(report);
  caffesta_string_free(result);

  CHECK(caffesta_call_status(failing) == CAFFESTA_ERR_NOT_FOUND);
  CHECK(caffesta_call_http_status(failing) == 404);
  CHECK(caffesta_call_delivery(failing) == CAFFESTA_ANSWERED);
  CHECK(strstr(caffesta_call_error(failing), "no-such-product") != NULL);
  CHECK_STATUS(caffesta_call_take_result(failing, &result), CAFFESTA_ERR_NOT_FOUND);
  CHECK(result == NULL);

  caffesta_call_free(nothing);
  caffesta_call_free(text);
  caffesta_call_free(created);
  caffesta_call_free(bulk);
  caffesta_call_free(failing);
  caffesta_client_free(c);
  completions_free(w);
}

static void test_bad_input_fails_at_once_without_done(void) {
  caffesta_client *c = new_client();
  completions *w = completions_new();
  caffesta_call *call = async_call(w);
  char *json = NULL;
  CHECK_STATUS(caffesta_product_upsert(c, "{\"name\":\"no ref_code\"}", &json), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(caffesta_last_delivery() == CAFFESTA_NOT_SENT);
  CHECK(caffesta_call_status(call) == CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(w->finished == 0);
  /* A pending object cannot be armed again or made synchronous meanwhile. */
  emulator_fault("{\"kind\": \"hang\", \"delay_ms\": 60000, \"path_prefix\": \"" AUTH_PATH "\"}");
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_PENDING);
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_call_set_done(call, NULL, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  caffesta_call_cancel(call);
  CHECK(await_completions(w, 1));
  CHECK(caffesta_call_status(call) == CAFFESTA_ERR_CANCELLED);
  CHECK(caffesta_call_delivery(call) != CAFFESTA_ANSWERED);
  caffesta_call_free(call);
  caffesta_client_free(c);
  completions_free(w);
}

/* Many calls in flight on the library's one thread; freeing the client cancels them all. */
static void test_client_free_cancels_the_calls_in_flight(void) {
  enum { CALLS = 24 };
  emulator_reset();
  caffesta_client *c = new_client();
  completions *w = completions_new();
  emulator_fault("{\"kind\": \"hang\", \"delay_ms\": 60000, \"count\": 24, \"path_prefix\": \"" AUTH_PATH "\"}");
  caffesta_call *calls[CALLS];
  for (int i = 0; i < CALLS; i++) {
    calls[i] = async_call(w);
    CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_PENDING);
  }
  CHECK(await_requests(CALLS)); /* all of them at the server at once */
  CHECK(w->finished == 0);
  long long start = now_ms();
  caffesta_client_free(c); /* cancels them and waits for the library's thread */
  CHECK(now_ms() - start < 5000);
  CHECK(w->finished == CALLS);
  for (int i = 0; i < CALLS; i++) {
    CHECK(caffesta_call_status(calls[i]) == CAFFESTA_ERR_CANCELLED);
    caffesta_call_free(calls[i]);
  }
  completions_free(w);
}

/* An asynchronous bulk call in flight: client_free cuts it and nothing of it lingers. */
static void test_client_free_ends_an_asynchronous_bulk_call(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  completions *w = completions_new();
  emulator_fault("{\"kind\": \"hang\", \"delay_ms\": 60000, \"count\": 2, \"method\": \"PUT\"}");
  caffesta_call *call = async_call(w);
  char *report = NULL;
  CHECK_STATUS(caffesta_products_upsert_many(c, "[" PRODUCT "," PRODUCT "," PRODUCT "]", 2, &report), CAFFESTA_PENDING);
  CHECK(await_requests(2));
  long long start = now_ms();
  caffesta_client_free(c);
  CHECK(now_ms() - start < 5000);
  CHECK(w->finished == 1);
  CHECK_STATUS(caffesta_call_take_result(call, &report), CAFFESTA_ERR_CANCELLED);
  json_t *entries = parsed(report);
  CHECK(json_array_size(entries) == 3);
  CHECK(strcmp(text_of(json_array_get(entries, 2), "action"), "cancelled") == 0);
  json_decref(entries);
  caffesta_string_free(report);
  caffesta_call_free(call);
  completions_free(w);
}

/* A call freed while pending is cancelled; its done still runs once. */
static void test_freeing_a_pending_call_cancels_it(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  completions *w = completions_new();
  emulator_fault("{\"kind\": \"hang\", \"delay_ms\": 60000, \"path_prefix\": \"" AUTH_PATH "\"}");
  caffesta_call *call = async_call(w);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_PENDING);
  CHECK(await_requests(1));
  caffesta_call_free(call);
  CHECK(await_completions(w, 1));
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  caffesta_client_free(c);
  completions_free(w);
}

typedef struct {
  caffesta_client *client;
  completions *w;
} freeing_plan;

static void free_client_from_done(void *user_data, caffesta_call *call) {
  freeing_plan *plan = user_data;
  caffesta_client_free(plan->client); /* on the library's own thread */
  plan->client = NULL;
  caffesta_call_free(call);
  on_done(plan->w, NULL);
}

static void test_client_free_from_a_done_callback(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  freeing_plan plan = {c, completions_new()};
  caffesta_call *call = NULL;
  CHECK_STATUS(caffesta_call_create(&call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_set_done(call, free_client_from_done, &plan), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_PENDING);
  CHECK(await_completions(plan.w, 1));
  CHECK(plan.client == NULL);
  completions_free(plan.w);
}

static void chain_next(void *user_data, caffesta_call *call);

typedef struct {
  caffesta_client *client;
  completions *w;
  int left;
} chain;

/* done() starts the next call, asynchronous too: it is queued on the same thread. */
static void chain_next(void *user_data, caffesta_call *call) {
  chain *ch = user_data;
  if (caffesta_call_status(call) == CAFFESTA_OK && --ch->left > 0) {
    caffesta_call_next(call);
    if (caffesta_auth_test(ch->client) == CAFFESTA_PENDING) return;
  }
  on_done(ch->w, call);
}

static void test_done_may_start_the_next_call(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  chain ch = {c, completions_new(), 50};
  caffesta_call *call = NULL;
  CHECK_STATUS(caffesta_call_create(&call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_set_done(call, chain_next, &ch), CAFFESTA_OK);
  CHECK_STATUS(caffesta_call_next(call), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_PENDING);
  CHECK(await_completions(ch.w, 1));
  CHECK(ch.left == 0);
  CHECK(log_length() == 50);
  caffesta_call_free(call);
  caffesta_client_free(c);
  completions_free(ch.w);
}

/* A child of fork() gets its own library thread; the parent's keeps working. (ThreadSanitizer
 * cannot follow a fork of a threaded process: skipped there.) */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
static void test_fork_child_starts_its_own_thread(void) {
#ifdef UNDER_TSAN
  return;
#endif
  emulator_reset();
  caffesta_client *c = new_client();
  completions *w = completions_new();
  caffesta_call *call = async_call(w);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_PENDING);
  CHECK(await_completions(w, 1)); /* the parent's thread exists */
  caffesta_call_free(call);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    completions *cw = completions_new();
    caffesta_call *child_call = async_call(cw);
    int ok = caffesta_auth_test(c) == CAFFESTA_PENDING && await_completions(cw, 1) &&
             caffesta_call_status(child_call) == CAFFESTA_OK;
    caffesta_call_free(child_call);
    _exit(ok ? 0 : 1);
  }
  int status = -1;
  waitpid(pid, &status, 0);
  /* Under valgrind the child's exit reports what the parent's library thread held on its stack
   * as lost (that thread does not exist in the child): valgrind's error exit code, 99, is fine. */
  CHECK(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || (under_valgrind() && WEXITSTATUS(status) == 99)));
  caffesta_call *again = async_call(w);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_PENDING);
  CHECK(await_completions(w, 2));
  CHECK(caffesta_call_status(again) == CAFFESTA_OK);
  caffesta_call_free(again);
  caffesta_client_free(c);
  completions_free(w);
}

int main(void) {
  const test_case tests[] = {
    {"a_call_timeout_bounds_that_call_only", test_a_call_timeout_bounds_that_call_only},
    {"a_call_timeout_longer_than_the_clients_does_not_extend_it", test_a_call_timeout_longer_than_the_clients_does_not_extend_it},
    {"cancel_cuts_one_of_two_calls_in_flight", test_cancel_cuts_one_of_two_calls_in_flight},
    {"a_cancelled_call_object_sends_nothing", test_a_cancelled_call_object_sends_nothing},
    {"an_armed_call_applies_to_the_next_request_only", test_an_armed_call_applies_to_the_next_request_only},
    {"asynchronous_calls_of_every_result_kind", test_asynchronous_calls_of_every_result_kind},
    {"bad_input_fails_at_once_without_done", test_bad_input_fails_at_once_without_done},
    {"client_free_cancels_the_calls_in_flight", test_client_free_cancels_the_calls_in_flight},
    {"client_free_ends_an_asynchronous_bulk_call", test_client_free_ends_an_asynchronous_bulk_call},
    {"freeing_a_pending_call_cancels_it", test_freeing_a_pending_call_cancels_it},
    {"client_free_from_a_done_callback", test_client_free_from_a_done_callback},
    {"done_may_start_the_next_call", test_done_may_start_the_next_call},
    {"fork_child_starts_its_own_thread", test_fork_child_starts_its_own_thread},
  };
  return run_tests(tests, sizeof tests / sizeof tests[0]);
}
