/* The bits of libc that the Swift core needs in both build modes (Glibc is not importable in
 * Embedded Swift), and this thread's last error, which needs C's _Thread_local. */
#ifndef CAFFESTA_CSUPPORT_H
#define CAFFESTA_CSUPPORT_H
#include <stddef.h>
#include <stdint.h>

/* This thread's last error: message (copied, truncated to fit), HTTP status and delivery state
 * (caffesta_delivery). */
void caf_error_set(const char *message, size_t length, int http_status, int delivery);
const char *caf_error_message(void);
int caf_error_http_status(void);
int caf_error_delivery(void);
/* This thread's armed call object (caffesta_call_next): sets it and returns the one before. */
void *caf_armed_call_swap(void *call);

/* The status of the last HTTP status line this thread received (0: none since the reset), so
 * that a call failing after an answer arrived (too large, cut off, no id) still reports it. */
void caf_received_status_set(int status);
int caf_received_status(void);

/* A mutex behind an opaque pointer. caf_mutex_new returns NULL when out of memory. */
typedef struct caf_mutex caf_mutex;
caf_mutex *caf_mutex_new(void);
void caf_mutex_lock(caf_mutex *m);
void caf_mutex_unlock(caf_mutex *m);
void caf_mutex_free(caf_mutex *m);

/* A thread of the library (the engine's): started with every signal blocked, so that the
 * host's signal handlers run on its own threads. caf_thread_start returns NULL when the thread
 * could not be made; join and detach free the handle. */
typedef struct caf_thread caf_thread;
caf_thread *caf_thread_start(void (*fn)(void *arg), void *arg);
void caf_thread_join(caf_thread *t);
void caf_thread_detach(caf_thread *t);
int caf_thread_is_current(const caf_thread *t);

/* One process-wide mutex, for the rare global state (handles left to a parent after fork). */
void caf_global_lock(void);
void caf_global_unlock(void);

/* Runs fn once per process (curl_global_init). */
void caf_run_once(void (*fn)(void));

/* Memory handed to callers: malloc'd copy of length bytes plus a NUL. NULL when out of memory. */
char *caf_strndup(const char *bytes, size_t length);
size_t caf_strlen(const char *s);
void caf_free(void *p);

/* getenv(3): the proxy variables libcurl reads, to name the proxy in messages. */
const char *caf_getenv(const char *name);

/* A counter that a signal handler may bump: lock-free atomics only (caffesta_client_cancel).
 * caf_counter_new returns NULL when out of memory. */
typedef struct caf_counter caf_counter;
caf_counter *caf_counter_new(void);
void caf_counter_free(caf_counter *c);
void caf_counter_increment(caf_counter *c);
uint64_t caf_counter_value(const caf_counter *c);

/* The cancel epoch: every cancel of one call (caffesta_call_cancel) bumps it, so that a driver
 * looks at its transfers only when some call was cancelled since it last looked. Lock-free. */
void caf_cancel_epoch_bump(void);
uint64_t caf_cancel_epoch(void);

int64_t caf_monotonic_ms(void);
void caf_sleep_ms(int64_t ms);
uint32_t caf_random_u32(void);
/* Counts the fork()s this process descends from (a pthread_atfork child handler), so that
 * state inherited from a parent can be told apart without a getpid() per request. */
unsigned caf_fork_generation(void);

/* The validating JSON scanner (json_scan.c): one pass, no tree, jansson's rules of validity
 * (RFC 8259, strict UTF-8, depth 2048, no "\u0000" in keys), numbers of any size. */
enum { CAF_JSON_ANY_VALUE = 1, CAF_JSON_REJECT_DUPLICATES = 2, CAF_JSON_CHILDREN = 4 };
/* CAF_JSON_CHECKED: the text is part of a text this scanner accepted already (an element of a
 * checked array): only the top value and its children are found, nothing is checked again
 * (text never checked gives meaningless spans, never a read out of bounds). */
enum { CAF_JSON_CHECKED = 8 };
enum { CAF_JSON_OK = 0, CAF_JSON_INVALID = 1, CAF_JSON_DUPLICATE = 2, CAF_JSON_NO_MEMORY = 3 };
typedef struct {
  int error;           /* CAF_JSON_OK or why the text was refused */
  size_t offset;       /* where (byte offset) */
  char message[400];   /* what and where: "duplicate key \"a\" in items[1]", "... at line 1, column 5 (byte 4)" */
  char top;            /* the top value's first byte: '{', '[', '"', 't', 'f', 'n', '-' or a digit */
  /* With CAF_JSON_CHILDREN: the top object's members or the top array's elements, in order,
   * 4 offsets each: key token start and end (quotes included; 0, 0 in an array), value start and end. */
  size_t *children;
  size_t child_count;
  /* Numbers jansson cannot hold (beyond 64-bit integers, reals that overflow a double): start, end. */
  size_t *wide;
  size_t wide_count;
} caf_json_scan_result;
/* Returns result->error. Free the result's lists with caf_json_scan_free (also after an error). */
int caf_json_scan(const char *text, size_t length, int flags, caf_json_scan_result *result);
void caf_json_scan_free(caf_json_scan_result *result);
/* Decodes a valid string token (quotes included) into out, which holds at least length bytes;
 * returns the decoded length. */
size_t caf_json_string_decode(const char *token, size_t length, char *out);

/* The shared clients' registry lock (caffesta_client_acquire): a process-wide mutex that fork()
 * takes first and releases in parent and child (pthread_atfork), so a child never inherits it held. */
void caf_registry_lock(void);
void caf_registry_unlock(void);
#endif
