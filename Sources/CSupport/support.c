#define _GNU_SOURCE
#include "CSupport.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#if defined(CAFFESTA_GLIBC_SHIMS) && defined(__GLIBC__)
/* The shipped library loads on glibc 2.28 (README, supported systems). glibc 2.34 moved
 * pthread_create, _join and _detach from libpthread into libc under new symbol versions; the
 * original versions remain in both (on 2.28 in libpthread, which libcurl loads), so the engine's
 * thread binds to those. */
#if defined(__x86_64__)
#define CAF_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define CAF_GLIBC_BASE "GLIBC_2.17"
#endif
#ifdef CAF_GLIBC_BASE
__asm__(".symver pthread_create, pthread_create@" CAF_GLIBC_BASE);
__asm__(".symver pthread_join, pthread_join@" CAF_GLIBC_BASE);
__asm__(".symver pthread_detach, pthread_detach@" CAF_GLIBC_BASE);
#endif
#endif

/* A fixed per-thread buffer: nothing to free when a host's thread ends. */
#define CAF_ERROR_CAPACITY 2048
static _Thread_local char error_message[CAF_ERROR_CAPACITY];
static _Thread_local int error_http_status;
static _Thread_local int error_delivery;

void caf_error_set(const char *message, size_t length, int http_status, int delivery) {
  if (message == NULL) length = 0;
  if (length >= CAF_ERROR_CAPACITY) {
    length = CAF_ERROR_CAPACITY - 1;
    /* do not cut a UTF-8 sequence in half */
    while (length > 0 && ((unsigned char)message[length] & 0xC0) == 0x80) length--;
  }
  if (length > 0) memcpy(error_message, message, length);
  error_message[length] = '\0';
  error_http_status = http_status;
  error_delivery = delivery;
}

const char *caf_error_message(void) { return error_message; }
int caf_error_http_status(void) { return error_http_status; }
int caf_error_delivery(void) { return error_delivery; }

static _Thread_local void *armed_call;
void *caf_armed_call_swap(void *call) {
  void *before = armed_call;
  armed_call = call;
  return before;
}

static _Thread_local int received_status;
void caf_received_status_set(int status) { received_status = status; }
int caf_received_status(void) { return received_status; }

struct caf_mutex { pthread_mutex_t mutex; };

caf_mutex *caf_mutex_new(void) {
  caf_mutex *m = malloc(sizeof *m);
  if (m != NULL) pthread_mutex_init(&m->mutex, NULL);
  return m;
}
void caf_mutex_lock(caf_mutex *m) { pthread_mutex_lock(&m->mutex); }
void caf_mutex_unlock(caf_mutex *m) { pthread_mutex_unlock(&m->mutex); }
void caf_mutex_free(caf_mutex *m) {
  if (m == NULL) return;
  pthread_mutex_destroy(&m->mutex);
  free(m);
}

struct caf_thread {
  pthread_t id;
  void (*fn)(void *);
  void *arg;
  int holders; /* the thread and its handle's owner: freed by the last to let go */
};

static void caf_thread_release(caf_thread *t) {
  if (__atomic_sub_fetch(&t->holders, 1, __ATOMIC_ACQ_REL) == 0) free(t);
}

static void *caf_thread_main(void *raw) {
  caf_thread *t = raw;
  void (*fn)(void *) = t->fn;
  void *arg = t->arg;
  caf_thread_release(t);
  fn(arg);
  return NULL;
}

caf_thread *caf_thread_start(void (*fn)(void *arg), void *arg) {
  caf_thread *t = malloc(sizeof *t);
  if (t == NULL) return NULL;
  t->fn = fn;
  t->arg = arg;
  t->holders = 2;
  /* sigprocmask acts on the calling thread in glibc, as pthread_sigmask does (which glibc 2.32
   * versioned anew). */
  sigset_t all, before;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &before);
  int failed = pthread_create(&t->id, NULL, caf_thread_main, t);
  sigprocmask(SIG_SETMASK, &before, NULL);
  if (failed) {
    free(t);
    return NULL;
  }
  return t;
}

void caf_thread_join(caf_thread *t) {
  pthread_join(t->id, NULL);
  caf_thread_release(t);
}

void caf_thread_detach(caf_thread *t) {
  pthread_detach(t->id);
  caf_thread_release(t);
}

int caf_thread_is_current(const caf_thread *t) { return pthread_equal(t->id, pthread_self()); }

static pthread_mutex_t global_mutex = PTHREAD_MUTEX_INITIALIZER;
void caf_global_lock(void) { pthread_mutex_lock(&global_mutex); }
void caf_global_unlock(void) { pthread_mutex_unlock(&global_mutex); }

/* A once-guard on a mutex and an atomic flag rather than pthread_once, which glibc 2.34 moved
 * to a new symbol version (GLIBC_2.34): the library must load on glibc 2.28. */
typedef struct { int done; pthread_mutex_t mutex; } caf_once;
#define CAF_ONCE_INIT {0, PTHREAD_MUTEX_INITIALIZER}
static void caf_once_run(caf_once *once, void (*fn)(void)) {
  if (__atomic_load_n(&once->done, __ATOMIC_ACQUIRE)) return;
  pthread_mutex_lock(&once->mutex);
  if (!once->done) {
    fn();
    __atomic_store_n(&once->done, 1, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&once->mutex);
}

static caf_once once = CAF_ONCE_INIT;
void caf_run_once(void (*fn)(void)) { caf_once_run(&once, fn); }

char *caf_strndup(const char *bytes, size_t length) {
  if (length == SIZE_MAX) return NULL;
  char *s = malloc(length + 1);
  if (s == NULL) return NULL;
  if (length > 0) memcpy(s, bytes, length);
  s[length] = '\0';
  return s;
}
void caf_free(void *p) { free(p); }
size_t caf_strlen(const char *s) { return strlen(s); }

struct caf_counter { uint64_t value; };
_Static_assert(__atomic_always_lock_free(sizeof(uint64_t), 0), "the cancel counter must be lock-free");

caf_counter *caf_counter_new(void) { return calloc(1, sizeof(caf_counter)); }
void caf_counter_free(caf_counter *c) { free(c); }
void caf_counter_increment(caf_counter *c) { __atomic_add_fetch(&c->value, 1, __ATOMIC_SEQ_CST); }
uint64_t caf_counter_value(const caf_counter *c) { return __atomic_load_n(&c->value, __ATOMIC_SEQ_CST); }

static uint64_t cancel_epoch;
void caf_cancel_epoch_bump(void) { __atomic_add_fetch(&cancel_epoch, 1, __ATOMIC_SEQ_CST); }
uint64_t caf_cancel_epoch(void) { return __atomic_load_n(&cancel_epoch, __ATOMIC_SEQ_CST); }

int64_t caf_monotonic_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void caf_sleep_ms(int64_t ms) {
  if (ms <= 0) return;
  struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
  while (nanosleep(&t, &t) == -1 && errno == EINTR) {}
}

uint32_t caf_random_u32(void) {
  uint32_t v = 0;
  if (getrandom(&v, sizeof v, GRND_NONBLOCK) != sizeof v) v = (uint32_t)caf_monotonic_ms() * 2654435761u;
  return v;
}

static unsigned fork_generation;
static caf_once atfork_once = CAF_ONCE_INIT;
static void count_fork(void) { fork_generation++; }
static void register_atfork(void) { pthread_atfork(NULL, NULL, count_fork); }
unsigned caf_fork_generation(void) {
  caf_once_run(&atfork_once, register_atfork);
  return __atomic_load_n(&fork_generation, __ATOMIC_RELAXED);
}

const char *caf_getenv(const char *name) { return getenv(name); }

#ifdef CAFFESTA_GLIBC_SHIMS
/* Embedded Swift's random numbers (hash seeds, SystemRandomNumberGenerator) call
 * arc4random_buf, which glibc has only since 2.36. The shipped library defines its own over
 * getrandom (glibc 2.25); exports.map keeps it local, so the host's libc is never overridden. */
#include <fcntl.h>
void arc4random_buf(void *buffer, size_t length) {
  unsigned char *p = buffer;
  while (length > 0) {
    ssize_t n = getrandom(p, length, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    length -= (size_t)n;
  }
  if (length == 0) return;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC); /* kernels without getrandom */
  while (fd >= 0 && length > 0) {
    ssize_t n = read(fd, p, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    length -= (size_t)n;
  }
  if (fd >= 0) close(fd);
  if (length > 0) abort(); /* as glibc's own: no entropy is not survivable */
}
#endif
