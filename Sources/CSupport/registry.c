/* The lock of the shared clients' registry (Sources/Caffesta/SharedClients.swift). */
#include "CSupport.h"
#include <pthread.h>

static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static int registry_atfork_registered; /* guarded by registry_mutex */

/* fork() waits for the registry to be consistent and the child gets it unlocked: without this,
 * a child forked while another thread held the lock would wait for it for ever. */
static void registry_prepare(void) { pthread_mutex_lock(&registry_mutex); }
static void registry_after_fork(void) { pthread_mutex_unlock(&registry_mutex); }

void caf_registry_lock(void) {
  pthread_mutex_lock(&registry_mutex);
  if (!registry_atfork_registered) {
    registry_atfork_registered = 1;
    pthread_atfork(registry_prepare, registry_after_fork, registry_after_fork);
  }
}

void caf_registry_unlock(void) { pthread_mutex_unlock(&registry_mutex); }
