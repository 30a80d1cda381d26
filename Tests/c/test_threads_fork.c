/* Threads and fork: one client shared by 16 threads mixing calls while a 17th changes its
 * settings, and a process that forks after using a client: the child works on connections of its
 * own, the parent keeps its kept-alive one. */
#include "caffesta.h"
#include "harness.h"
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- Threads ---- */

#define THREADS 16
#define OPS_PER_THREAD 100
static caffesta_client *shared_client;
typedef struct { int index, ok, failed_as_expected, wrong, created; } thread_tally;

static void *mixed_operations(void *arg) {
  thread_tally *t = arg;
  for (int i = 0; i < OPS_PER_THREAD; i++) {
    char ref[64], *out = NULL;
    caffesta_status got, expected = CAFFESTA_OK;
    int right = 1;
    switch (i % 5) {
    case 0: {
      snprintf(ref, sizeof ref, "thread%d-%d", t->index, i);
      char *body = product_json(ref, "threaded");
      got = caffesta_product_upsert(shared_client, body, &out);
      right = got != CAFFESTA_OK || (out && strstr(out, "\"created\"") && strstr(out, ref));
      if (got == CAFFESTA_OK && right) t->created++;
      free(body);
      break;
    }
    case 1:
      got = caffesta_request(shared_client, "GET", STORAGES_PATH, NULL, &out);
      right = got != CAFFESTA_OK || (out && out[0] == '{' && strstr(out, "\"1\""));
      break;
    case 2:
      got = caffesta_storages_list(shared_client, &out);
      right = got != CAFFESTA_OK || (out && out[0] == '[');
      break;
    case 3:
      expected = CAFFESTA_ERR_INVALID_ARGUMENT;
      got = caffesta_product_upsert(shared_client, i % 2 ? "{\"name\":\"no ref\"}" : "not json", &out);
      right = strstr(caffesta_last_error(), "product_json") != NULL && caffesta_last_http_status() == 0;
      break;
    default:
      expected = CAFFESTA_ERR_NOT_FOUND;
      snprintf(ref, sizeof ref, "missing%d-%d", t->index, i);
      got = caffesta_product_get(shared_client, ref, &out);
      /* This thread's own error, not another thread's. */
      right = strstr(caffesta_last_error(), ref) != NULL && caffesta_last_http_status() == 404;
      break;
    }
    if (got == expected && right) {
      if (expected == CAFFESTA_OK) t->ok++;
      else t->failed_as_expected++;
    } else {
      t->wrong++;
      fprintf(stderr, "  thread %d op %d: %s (expected %s): %s\n", t->index, i, caffesta_status_name(got),
              caffesta_status_name(expected), caffesta_last_error());
    }
    caffesta_string_free(out);
  }
  return NULL;
}

/* "Safe to call while other threads use the client": settings change under the callers' feet. */
static int configuring; /* read and written with __atomic: another thread watches it */
static void *reconfigure(void *arg) {
  int *wrong = arg;
  for (unsigned i = 0; __atomic_load_n(&configuring, __ATOMIC_ACQUIRE); i++) {
    if (caffesta_client_set_base_url(shared_client, emulator_url()) != CAFFESTA_OK) (*wrong)++;
    if (caffesta_client_set_timeouts(shared_client, 5000 + i % 7, 30000 + i % 11) != CAFFESTA_OK) (*wrong)++;
    if (caffesta_client_set_max_retries(shared_client, (int)(i % 3)) != CAFFESTA_OK) (*wrong)++;
    if (caffesta_client_set_max_response_size(shared_client, (1 << 20) + i) != CAFFESTA_OK) (*wrong)++;
    if (caffesta_client_set_order_path(shared_client, i % 2 ? "/a/v1.1/draft/receipts" : "/x") != CAFFESTA_OK) (*wrong)++;
    if (caffesta_client_set_base_url(shared_client, "bad") != CAFFESTA_ERR_INVALID_ARGUMENT) (*wrong)++;
    sleep_ms(1);
  }
  return NULL;
}

static void test_threads_share_one_client_through_mixed_calls(void) {
  emulator_reset();
  long before = emulator_stat("products");
  shared_client = new_client();
  pthread_t configurator;
  int config_wrong = 0;
  __atomic_store_n(&configuring, 1, __ATOMIC_RELEASE);
  CHECK(pthread_create(&configurator, NULL, reconfigure, &config_wrong) == 0);
  pthread_t threads[THREADS];
  thread_tally tallies[THREADS];
  for (int t = 0; t < THREADS; t++) {
    tallies[t] = (thread_tally){t, 0, 0, 0, 0};
    CHECK(pthread_create(&threads[t], NULL, mixed_operations, &tallies[t]) == 0);
  }
  int ok = 0, failed = 0, wrong = 0, created = 0;
  for (int t = 0; t < THREADS; t++) {
    pthread_join(threads[t], NULL);
    ok += tallies[t].ok;
    failed += tallies[t].failed_as_expected;
    wrong += tallies[t].wrong;
    created += tallies[t].created;
  }
  __atomic_store_n(&configuring, 0, __ATOMIC_RELEASE);
  pthread_join(configurator, NULL);
  CHECK(config_wrong == 0);
  CHECK(wrong == 0);
  CHECK(ok + failed == THREADS * OPS_PER_THREAD);
  CHECK(ok == THREADS * OPS_PER_THREAD * 3 / 5);
  CHECK(created == THREADS * OPS_PER_THREAD / 5);
  CHECK(emulator_stat("products") - before == created);
  /* Every request accounted for: upsert PUT+POST, GET, list, (bad input: none), get. */
  json_t *log = request_log();
  CHECK(json_array_size(log) == (size_t)THREADS * OPS_PER_THREAD / 5 * 5);
  CHECK(count_requests(log, "POST", "/a/v1.0/product/") == (size_t)created);
  json_decref(log);
  caffesta_client_free(shared_client);
}

/* ---- Fork ---- */

static void test_fork_child_uses_the_client_parent_keeps_its_connection(void) {
  emulator_reset();
  long before = emulator_stat("products");
  caffesta_client *c = new_client();
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK); /* the parent now holds a kept-alive connection */
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int code = 0;
    char *body = product_json("forked-child", "from the child"), *out = NULL;
    if (caffesta_auth_test(c) != CAFFESTA_OK) code = 1;
    else if (caffesta_product_upsert(c, body, &out) != CAFFESTA_OK || !strstr(out, "\"created\"")) code = 2;
    if (code) fprintf(stderr, "  child: %s\n", caffesta_last_error());
    caffesta_string_free(out);
    free(body);
    caffesta_client_free(c); /* closes the child's connections only */
    exit(code);
  }
  CHECK(pid > 0);
  int code = pid > 0 ? wait_child(pid, 20000) : -1;
  CHECK(code == 0);
  /* The parent's connection survived the child: reused, and it works. */
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  char *body = product_json("forked-parent", "from the parent"), *out = NULL;
  CHECK_STATUS(caffesta_product_upsert(c, body, &out), CAFFESTA_OK);
  CHECK(out && strstr(out, "\"created\""));
  caffesta_string_free(out);
  free(body);
  CHECK(emulator_stat("products") - before == 2);
  json_t *log = request_log();
  CHECK(json_array_size(log) == 7); /* parent GET; child GET, PUT, POST; parent GET, PUT, POST */
  if (json_array_size(log) == 7) {
    const char *parent = text_of(json_array_get(log, 0), "peer");
    for (size_t i = 1; i < 4; i++) CHECK(strcmp(text_of(json_array_get(log, i), "peer"), parent) != 0);
    CHECK(strcmp(text_of(json_array_get(log, 4), "peer"), parent) == 0);
  }
  json_decref(log);
  caffesta_client_free(c);
}

int main(void) {
  static const test_case tests[] = {
    {"threads_share_one_client_through_mixed_calls", test_threads_share_one_client_through_mixed_calls},
    {"fork_child_uses_the_client_parent_keeps_its_connection",
     test_fork_child_uses_the_client_parent_keeps_its_connection},
  };
  return run_tests(tests, sizeof tests / sizeof *tests);
}
