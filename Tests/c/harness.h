/* A tiny test harness for the C suites: CHECK records a failure and goes on; the runner
 * prints "N passed, N failed" at the end. Plus the emulator's admin calls over raw libcurl. */
#ifndef CAFFESTA_TEST_HARNESS_H
#define CAFFESTA_TEST_HARNESS_H
#include "caffesta.h"
#include <stdio.h>
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
#endif
