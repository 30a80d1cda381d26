/* Shared clients (caffesta_client_acquire): the connections carry over from one acquired client
 * to the next, nothing else does; the registry's key (account, key, share key), its bound, threads
 * and fork. A connection is told by the emulator's request log ("peer": the client's address and
 * port, one per connection), never by timing. */
#include "caffesta.h"
#include "harness.h"
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* A client acquired for the emulator under test; *reused says whether its entry existed. */
static caffesta_client *acquire(const char *account, const char *key, const char *share_key, int *reused) {
  caffesta_client *c = NULL;
  int was_reused = -1;
  CHECK_STATUS(caffesta_client_acquire(account, key, share_key, &c, &was_reused), CAFFESTA_OK);
  CHECK(was_reused == 0 || was_reused == 1);
  if (c) CHECK_STATUS(caffesta_client_set_base_url(c, emulator_url()), CAFFESTA_OK);
  if (reused) *reused = was_reused;
  return c;
}

/* The peer of the last request the emulator received (malloc'd; "" when there is none). */
static char *last_peer(void) {
  json_t *log = request_log();
  size_t n = json_array_size(log);
  char *peer = strdup(n ? text_of(json_array_get(log, n - 1), "peer") : "");
  json_decref(log);
  return peer;
}

/* One call on an acquired client, then the peer it went over; the client is freed. */
static char *call_and_free(caffesta_client *c, caffesta_status expected) {
  CHECK_STATUS(caffesta_auth_test(c), expected);
  caffesta_client_free(c);
  return last_peer();
}

/* How many of this process's file descriptors are sockets. */
static int open_sockets(void) {
  DIR *dir = opendir("/proc/self/fd");
  int count = 0;
  if (!dir) return -1;
  for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
    char path[300], target[64];
    snprintf(path, sizeof path, "/proc/self/fd/%s", entry->d_name);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n > 0) {
      target[n] = '\0';
      if (strncmp(target, "socket:", 7) == 0) count++;
    }
  }
  closedir(dir);
  return count;
}

static void test_the_next_client_takes_over_the_connection(void) {
  CHECK_STATUS(caffesta_shared_clients_set_limit(8), CAFFESTA_OK);
  clear_request_log();
  int reused = -1;
  char *first = call_and_free(acquire("demo", emulator_key(), "takeover", &reused), CAFFESTA_OK);
  CHECK(reused == 0);
  /* Three more "requests" of a php-fpm worker: each a new client, one connection throughout. */
  for (int i = 0; i < 3; i++) {
    char *peer = call_and_free(acquire("demo", emulator_key(), "takeover", &reused), CAFFESTA_OK);
    CHECK(reused == 1);
    CHECK(strcmp(peer, first) == 0);
    free(peer);
  }
  /* A plain client opens its own connection: the registry is not used by caffesta_client_new. */
  char *plain = call_and_free(new_client(), CAFFESTA_OK);
  CHECK(strcmp(plain, first) != 0);
  free(plain);
  free(first);
}

static int log_events;
static void count_event(void *user_data, const char *event_json) {
  (void)user_data;
  (void)event_json;
  log_events++;
}
static size_t progress_calls;
static void count_progress(void *user_data, size_t done, size_t total) {
  (void)user_data;
  (void)done;
  (void)total;
  progress_calls++;
}

/* What one request set on its client does not reach the next: settings, log, progress, cancel. */
static void test_nothing_but_the_connection_carries_over(void) {
  CHECK_STATUS(caffesta_shared_clients_set_limit(8), CAFFESTA_OK);
  emulator_reset();
  caffesta_client *first = acquire("demo", emulator_key(), "carry", NULL);
  CHECK_STATUS(caffesta_client_set_log(first, count_event, NULL), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_progress(first, count_progress, NULL), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_max_retries(first, 0), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(first), CAFFESTA_OK);
  CHECK(log_events == 1);
  caffesta_client_cancel(first);
  caffesta_client_free(first);
  log_events = 0;

  /* The next client: no log, no progress, default retries (a 503 is retried), not cancelled. */
  caffesta_client *next = NULL;
  int reused = -1;
  CHECK_STATUS(caffesta_client_acquire("demo", emulator_key(), "carry", &next, &reused), CAFFESTA_OK);
  CHECK(reused == 1);
  CHECK_STATUS(caffesta_client_set_base_url(next, emulator_url()), CAFFESTA_OK);
  fault("status", "GET", AUTH_PATH, "\"status\":503");
  CHECK_STATUS(caffesta_auth_test(next), CAFFESTA_OK);
  char *body = product_json("carry-1", "carried"), *many = NULL;
  size_t length = strlen(body) + 3;
  char *array = malloc(length);
  snprintf(array, length, "[%s]", body);
  CHECK_STATUS(caffesta_products_upsert_many(next, array, 1, &many), CAFFESTA_OK);
  CHECK(log_events == 0);
  CHECK(progress_calls == 0);
  caffesta_string_free(many);
  free(array);
  free(body);
  json_t *log = request_log();
  CHECK(count_requests(log, "GET", AUTH_PATH) == 3); /* first's, then next's 503 and its retry */
  json_decref(log);
  caffesta_client_free(next);
}

/* A client's calls under another key, account or share key never go over another entry's connection. */
static void test_a_key_change_makes_a_new_entry(void) {
  CHECK_STATUS(caffesta_shared_clients_set_limit(8), CAFFESTA_OK);
  clear_request_log();
  int reused = -1;
  char *first = call_and_free(acquire("demo", emulator_key(), "keys", &reused), CAFFESTA_OK);
  char *other_key = call_and_free(acquire("demo", "rotated0123456789abcdef0123456789", "keys", &reused),
                                  CAFFESTA_ERR_UNAUTHORIZED);
  CHECK(reused == 0);
  CHECK(strcmp(other_key, first) != 0);
  char *other_account = call_and_free(acquire("other", emulator_key(), "keys", &reused), CAFFESTA_OK);
  CHECK(reused == 0);
  CHECK(strcmp(other_account, first) != 0 && strcmp(other_account, other_key) != 0);
  char *other_share = call_and_free(acquire("demo", emulator_key(), "keys, another proxy", &reused), CAFFESTA_OK);
  CHECK(reused == 0);
  CHECK(strcmp(other_share, first) != 0 && strcmp(other_share, other_account) != 0);
  /* NULL and "" are the same share key. */
  caffesta_client_free(acquire("demo", emulator_key(), NULL, NULL));
  caffesta_client_free(acquire("demo", emulator_key(), "", &reused));
  CHECK(reused == 1);
  /* And the first entry is still there, with its connection. */
  char *again = call_and_free(acquire("demo", emulator_key(), "keys", &reused), CAFFESTA_OK);
  CHECK(reused == 1);
  CHECK(strcmp(again, first) == 0);
  free(first);
  free(other_key);
  free(other_account);
  free(other_share);
  free(again);
}

static void test_the_registry_is_bounded(void) {
  CHECK_STATUS(caffesta_shared_clients_set_limit(0), CAFFESTA_OK); /* closes every idle entry */
  int sockets = open_sockets();
  CHECK(sockets >= 0);
  CHECK_STATUS(caffesta_shared_clients_set_limit(2), CAFFESTA_OK);
  int reused = -1, per_entry = 0;
  const char *shares[] = {"bound-a", "bound-b", "bound-c"};
  for (int i = 0; i < 3; i++) {
    char *peer = call_and_free(acquire("demo", emulator_key(), shares[i], &reused), CAFFESTA_OK);
    CHECK(reused == 0);
    free(peer);
    if (i == 0) per_entry = open_sockets() - sockets; /* the connection, and libcurl's own socket pair */
  }
  /* Two entries, each with its open connection; "a", the least recently used, was closed. */
  CHECK(per_entry > 0);
  CHECK(open_sockets() == sockets + 2 * per_entry);
  caffesta_client_free(acquire("demo", emulator_key(), "bound-c", &reused));
  CHECK(reused == 1);
  caffesta_client_free(acquire("demo", emulator_key(), "bound-b", &reused));
  CHECK(reused == 1);
  caffesta_client_free(acquire("demo", emulator_key(), "bound-a", &reused)); /* replaces c */
  CHECK(reused == 0);
  caffesta_client_free(acquire("demo", emulator_key(), "bound-c", &reused));
  CHECK(reused == 0);

  /* Every entry held: the new client is an ordinary one, and the held entries stay. */
  caffesta_client *held_a = acquire("demo", emulator_key(), "bound-a", &reused);
  caffesta_client *held_c = acquire("demo", emulator_key(), "bound-c", &reused);
  caffesta_client *extra = acquire("demo", emulator_key(), "bound-d", &reused);
  CHECK(reused == 0);
  caffesta_client_free(extra);
  caffesta_client_free(acquire("demo", emulator_key(), "bound-d", &reused));
  CHECK(reused == 0); /* d was never kept... */
  caffesta_client_free(held_a);
  caffesta_client_free(held_c);
  /* ...and now that a is let go, d takes its place (a was used less recently than c). */
  caffesta_client_free(acquire("demo", emulator_key(), "bound-d", &reused));
  caffesta_client_free(acquire("demo", emulator_key(), "bound-d", &reused));
  CHECK(reused == 1);
  caffesta_client_free(acquire("demo", emulator_key(), "bound-c", &reused));
  CHECK(reused == 1);

  /* Lowering the limit closes idle entries at once; 0 turns sharing off. */
  CHECK_STATUS(caffesta_shared_clients_set_limit(0), CAFFESTA_OK);
  CHECK(open_sockets() == sockets);
  caffesta_client_free(acquire("demo", emulator_key(), "bound-c", &reused));
  caffesta_client_free(acquire("demo", emulator_key(), "bound-c", &reused));
  CHECK(reused == 0);
  CHECK_STATUS(caffesta_shared_clients_set_limit(-1), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_shared_clients_set_limit(1025), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(strstr(caffesta_last_error(), "0 to 1024") != NULL);
  CHECK_STATUS(caffesta_shared_clients_set_limit(1024), CAFFESTA_OK);
  CHECK_STATUS(caffesta_shared_clients_set_limit(8), CAFFESTA_OK);
}

static void test_bad_arguments_make_no_entry(void) {
  CHECK_STATUS(caffesta_shared_clients_set_limit(8), CAFFESTA_OK);
  caffesta_client *c = (caffesta_client *)&c;
  int reused = -1;
  CHECK_STATUS(caffesta_client_acquire("demo", emulator_key(), "bad", NULL, &reused), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(reused == 0);
  CHECK_STATUS(caffesta_client_acquire("evil.com/x#", emulator_key(), "bad", &c, &reused),
               CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(c == NULL && strstr(caffesta_last_error(), "account") != NULL);
  CHECK_STATUS(caffesta_client_acquire("demo", "bad key\r\n", "bad", &c, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_acquire(NULL, emulator_key(), "bad", &c, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(strstr(caffesta_last_error(), "account_name is NULL") != NULL);
  CHECK_STATUS(caffesta_client_acquire("demo", emulator_key(), "\xff", &c, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(strstr(caffesta_last_error(), "share_key is not valid UTF-8") != NULL);
  char *long_key = malloc(4098);
  memset(long_key, 'k', 4097);
  long_key[4097] = '\0';
  CHECK_STATUS(caffesta_client_acquire("demo", emulator_key(), long_key, &c, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(strstr(caffesta_last_error(), "share_key is longer than 4096 bytes") != NULL);
  long_key[4096] = '\0';
  caffesta_client_free(acquire("demo", emulator_key(), long_key, &reused));
  CHECK(reused == 0);
  free(long_key);
  /* The valid account and key of the refused calls: no entry was made for them. */
  caffesta_client_free(acquire("demo", emulator_key(), "bad", &reused));
  CHECK(reused == 0);
  /* A success clears the thread's last error. */
  CHECK(caffesta_last_error()[0] == '\0');
}

/* ---- Threads ---- */

#define THREADS 8
#define ROUNDS 25
typedef struct { int index, wrong; } worker;

/* Each round is a php-fpm request: acquire, call, free; half the threads share one key. */
static void *requests(void *arg) {
  worker *w = arg;
  char share[32];
  snprintf(share, sizeof share, "thread-%d", w->index % 2 ? w->index : 0);
  for (int i = 0; i < ROUNDS; i++) {
    caffesta_client *c = NULL;
    int reused = -1;
    if (caffesta_client_acquire("demo", emulator_key(), share, &c, &reused) != CAFFESTA_OK ||
        caffesta_client_set_base_url(c, emulator_url()) != CAFFESTA_OK || caffesta_auth_test(c) != CAFFESTA_OK) {
      fprintf(stderr, "  thread %d round %d: %s\n", w->index, i, caffesta_last_error());
      w->wrong++;
    }
    caffesta_client_free(c);
    if (i % 5 == 4 && w->index == 0 && caffesta_shared_clients_set_limit(i % 10 == 4 ? 3 : 6) != CAFFESTA_OK) w->wrong++;
  }
  return NULL;
}

static void test_threads_acquire_use_and_free_at_once(void) {
  CHECK_STATUS(caffesta_shared_clients_set_limit(6), CAFFESTA_OK);
  pthread_t threads[THREADS];
  worker workers[THREADS];
  for (int t = 0; t < THREADS; t++) {
    workers[t] = (worker){t, 0};
    CHECK(pthread_create(&threads[t], NULL, requests, &workers[t]) == 0);
  }
  for (int t = 0; t < THREADS; t++) {
    pthread_join(threads[t], NULL);
    CHECK(workers[t].wrong == 0);
  }
  /* Bounded throughout: held all at once, at most the limit (6) of the 5 share keys were kept. */
  CHECK_STATUS(caffesta_shared_clients_set_limit(3), CAFFESTA_OK);
  caffesta_client *held[THREADS];
  int kept = 0;
  for (int t = 0; t < THREADS; t++) {
    char share[32];
    int reused = -1;
    snprintf(share, sizeof share, "thread-%d", t % 2 ? t : 0);
    held[t] = acquire("demo", emulator_key(), share, &reused);
    kept += reused == 1 && (t % 2 || t == 0);
  }
  CHECK(kept <= 3);
  for (int t = 0; t < THREADS; t++) caffesta_client_free(held[t]);
  CHECK_STATUS(caffesta_shared_clients_set_limit(8), CAFFESTA_OK);
}

/* ---- Fork ---- */

/* A forked child (a php-fpm worker of a master that used a client) finds the entry, opens its
 * own connection, and leaves the parent's to the parent. */
static void test_a_forked_child_keeps_off_the_parents_connection(void) {
  CHECK_STATUS(caffesta_shared_clients_set_limit(8), CAFFESTA_OK);
  clear_request_log();
  char *parent = call_and_free(acquire("demo", emulator_key(), "fork", NULL), CAFFESTA_OK);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int reused = -1, code = 0;
    caffesta_client *c = NULL;
    if (caffesta_client_acquire("demo", emulator_key(), "fork", &c, &reused) != CAFFESTA_OK || reused != 1) code = 1;
    else if (caffesta_client_set_base_url(c, emulator_url()) != CAFFESTA_OK || caffesta_auth_test(c) != CAFFESTA_OK) code = 2;
    caffesta_client_free(c);
    caffesta_shared_clients_set_limit(0); /* the child closes its entries: never the parent's connection */
    if (code) fprintf(stderr, "  child: %d %s\n", code, caffesta_last_error());
    free(parent);
    exit(code);
  }
  CHECK(pid > 0);
  CHECK(pid > 0 && wait_child(pid, 20000) == 0);
  char *child = last_peer();
  CHECK(strcmp(child, parent) != 0);
  int reused = -1;
  char *again = call_and_free(acquire("demo", emulator_key(), "fork", &reused), CAFFESTA_OK);
  CHECK(reused == 1);
  CHECK(strcmp(again, parent) == 0);
  free(parent);
  free(child);
  free(again);
}

/* fork() while other threads acquire and free: every child gets the registry unlocked.
 * (ThreadSanitizer cannot follow a fork of a threaded process: skipped there.) */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
static int forking; /* __atomic: the churning threads watch it */
static void *churn(void *arg) {
  int *wrong = arg;
  for (int i = 0; __atomic_load_n(&forking, __ATOMIC_ACQUIRE); i++) {
    caffesta_client *c = NULL;
    char share[32];
    snprintf(share, sizeof share, "churn-%d", i % 12); /* more keys than the limit: entries come and go */
    if (caffesta_client_acquire("demo", emulator_key(), share, &c, NULL) != CAFFESTA_OK) (*wrong)++;
    caffesta_client_free(c);
  }
  return NULL;
}

static void test_fork_while_threads_acquire(void) {
#ifdef UNDER_TSAN
  return;
#endif
  CHECK_STATUS(caffesta_shared_clients_set_limit(4), CAFFESTA_OK);
  pthread_t threads[2];
  int wrong[2] = {0, 0};
  __atomic_store_n(&forking, 1, __ATOMIC_RELEASE);
  for (int t = 0; t < 2; t++) CHECK(pthread_create(&threads[t], NULL, churn, &wrong[t]) == 0);
  int failed_children = 0;
  int forks = under_valgrind() ? 8 : 40; /* under valgrind each child reports its parent's threads' stacks */
  for (int i = 0; i < forks; i++) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
      caffesta_client *c = NULL;
      int code = caffesta_client_acquire("demo", emulator_key(), "churn-1", &c, NULL) == CAFFESTA_OK ? 0 : 1;
      caffesta_client_free(c);
      code |= caffesta_shared_clients_set_limit(1) == CAFFESTA_OK ? 0 : 2;
      _exit(code);
    }
    int code = pid < 0 ? -1 : wait_child(pid, 60000);
    if (code != 0 && !(under_valgrind() && code == 99)) failed_children++; /* 99: valgrind's, see harness.h */
  }
  __atomic_store_n(&forking, 0, __ATOMIC_RELEASE);
  for (int t = 0; t < 2; t++) {
    pthread_join(threads[t], NULL);
    CHECK(wrong[t] == 0);
  }
  CHECK(failed_children == 0);
  CHECK_STATUS(caffesta_shared_clients_set_limit(8), CAFFESTA_OK);
}

int main(void) {
  static const test_case tests[] = {
    {"the_next_client_takes_over_the_connection", test_the_next_client_takes_over_the_connection},
    {"nothing_but_the_connection_carries_over", test_nothing_but_the_connection_carries_over},
    {"a_key_change_makes_a_new_entry", test_a_key_change_makes_a_new_entry},
    {"the_registry_is_bounded", test_the_registry_is_bounded},
    {"bad_arguments_make_no_entry", test_bad_arguments_make_no_entry},
    {"threads_acquire_use_and_free_at_once", test_threads_acquire_use_and_free_at_once},
    {"a_forked_child_keeps_off_the_parents_connection", test_a_forked_child_keeps_off_the_parents_connection},
    {"fork_while_threads_acquire", test_fork_while_threads_acquire},
  };
  return run_tests(tests, sizeof tests / sizeof *tests);
}
