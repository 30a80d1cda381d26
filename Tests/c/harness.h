/* A tiny test harness for the C suites: CHECK records a failure and goes on; the runner
 * prints "N passed, N failed" at the end. Plus the emulator's admin calls over raw libcurl, and
 * what several suites share: the clock, free ports, emulators of a test's own, clients. */
#ifndef CAFFESTA_TEST_HARNESS_H
#define CAFFESTA_TEST_HARNESS_H
#include "caffesta.h"
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

extern int harness_checks_failed;
extern const char *harness_current;

#define CHECK(cond) do { if (!(cond)) { harness_checks_failed++; \
  fprintf(stderr, "  %s:%d: %s: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, harness_current, #cond, \
          caffesta_last_error()); } } while (0)
#define CHECK_STATUS(expr, expected) do { caffesta_status got_ = (expr); if (got_ != (expected)) { \
  harness_checks_failed++; fprintf(stderr, "  %s:%d: %s: %s gave %s, expected %s; last error: %s\n", __FILE__, \
  __LINE__, harness_current, #expr, caffesta_status_name(got_), caffesta_status_name(expected), caffesta_last_error()); \
  } } while (0)

typedef void (*test_fn)(void);
typedef struct { const char *name; test_fn fn; } test_case;
int run_tests(const test_case *tests, size_t count);

/* The emulator under test: CAFFESTA_BASE_URL and CAFFESTA_API_KEY, as scripts/with-emulator.sh sets them. */
const char *emulator_url(void);
const char *emulator_key(void);
/* Admin calls: POST/GET/DELETE on /__emulator/...; returns the body (malloc'd) or NULL.
 * The _at form reaches another emulator (base URL, and the CA of an HTTPS one or NULL). */
char *emulator_admin(const char *method, const char *path, const char *body);
char *emulator_admin_at(const char *base, const char *ca_file, const char *method, const char *path, const char *body);
void emulator_reset(void);
void emulator_fault(const char *fault_json);
/* A count from GET /__emulator/stats, -1 on error. */
long emulator_stat(const char *table);

/* A file of Tests/samples (the docs' own JSON examples), as compact JSON text (malloc'd). */
char *sample_text(const char *name);
/* The JSON of a library result, or NULL; the caller decrefs. */
#include <jansson.h>
json_t *parsed(const char *text);
/* A call's JSON result, checked to be CAFFESTA_OK, parsed and freed (*text is NULL after); the
 * caller decrefs. Takes the output's address: C leaves the order of argument evaluation open, so
 * the text is read only here, after the call has written it. */
json_t *call_json(caffesta_status status, char **text);
/* The string member `key` of an object, or "" when it is missing or not a string. */
const char *text_of(json_t *object, const char *key);

/* ---- Time, ports, processes ---- */

/* Milliseconds on the monotonic clock. */
long long now_ms(void);
/* Sleeps `ms` milliseconds (all of them, across signals). */
void sleep_ms(long ms);
/* The repository's root: $CAFFESTA_REPO_ROOT, else four levels above this program
 * (Tests/c/build/test_x). */
const char *repo_root(void);
/* A TCP port on 127.0.0.1 that nothing listens on (bound, read, closed); exits when none. */
int free_port(void);

/* An emulator of the test's own on 127.0.0.1:port, with the suite's key and `extra` flags
 * (NULL-terminated, or NULL), started `delay_ms` after the call returns. *out_fd reads its
 * stdout. Returns the pid or -1. */
pid_t start_emulator(int port, int delay_ms, const char *const *extra, int *out_fd);
/* Reads the emulator's "listening on URL" line; 1 and the URL (when url) on success. Closes fd. */
int read_listening(int fd, int timeout_ms, char *url, size_t size);
/* An emulator on `port` that is listening when this returns; its URL goes to url. -1 on failure. */
pid_t spawn_emulator(int port, const char *const *extra, char *url, size_t size);
/* Stops an emulator started above (SIGTERM, then SIGKILL); pid <= 0 does nothing. */
void kill_emulator(pid_t pid);
/* Waits for a forked child up to timeout_ms: its exit status, or -1 when it was killed by a signal
 * or did not end in time (it is killed then). */
int wait_child(pid_t pid, int timeout_ms);
/* Whether this process runs under valgrind: a forked child's exit then reports what the parent's
 * other threads held on their stacks as lost (those threads do not exist in the child), and its
 * exit status is valgrind's error code, 99. */
int under_valgrind(void);

/* ---- The emulators' request logs and counts, at any URL ---- */

/* The request log of an emulator: a JSON array (never NULL: [] when it cannot be read, with a
 * failed check); the caller decrefs. */
json_t *log_at(const char *base, const char *ca_file);
/* The same, of the emulator under test. */
json_t *request_log(void);
void clear_request_log(void);
size_t log_length(void);
/* Requests of `method` (NULL: any) whose path starts with `prefix`. */
size_t count_requests(json_t *log, const char *method, const char *prefix);
/* A count from an emulator's GET /__emulator/stats, -1 on error. */
long emulator_stat_at(const char *base, const char *table);

/* ---- Clients, bodies, faults ---- */

#define AUTH_PATH "/a/v1.0/storage/test"
#define INVOICES_PATH "/a/v1.0/storage/invoices"
#define STORAGES_PATH "/a/v1.0/draft/storages"

/* A client of the suite's account and key at `url` (a failed check and NULL when it cannot be
 * made); new_client() at the emulator under test. */
caffesta_client *client_at(const char *url);
caffesta_client *new_client(void);
/* A small valid product, as compact JSON (malloc'd). */
char *product_json(const char *ref_code, const char *name);
/* Creates Tests/samples' invoice on c, expecting `expected` (and id 0 after an error); returns
 * the id it got. */
long long create_sample_invoice(caffesta_client *c, caffesta_status expected);
/* Arms a fault of `kind` for `method` (NULL: any) on paths under `path_prefix`; `more` is more
 * JSON members ("\"status\":503,\"count\":2") or NULL. */
void fault(const char *kind, const char *method, const char *path_prefix, const char *more);
#endif
