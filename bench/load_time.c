/* How long loading libcaffesta takes in a process that already has libcurl and jansson (as any
 * program that talks HTTP and JSON does): dlopen of the library, RTLD_NOW, in microseconds.
 *   load_time LIBRARY   prints {"us": time of dlopen(LIBRARY) and one call of caffesta_version}
 *   load_time -         prints {"us": the same clock around nothing}: the floor of the measure
 * Run it in many fresh processes and take the median: a second dlopen in one process is free. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  if (!dlopen("libcurl.so.4", RTLD_NOW | RTLD_GLOBAL) || !dlopen("libjansson.so.4", RTLD_NOW | RTLD_GLOBAL)) {
    fprintf(stderr, "load_time: %s\n", dlerror());
    return 1;
  }
  double start = now_us();
  if (strcmp(argv[1], "-") != 0) {
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    const char *(*version)(void) = NULL;
    if (lib) *(void **)&version = dlsym(lib, "caffesta_version");
    if (!version || !version()[0]) {
      fprintf(stderr, "load_time: %s\n", dlerror());
      return 1;
    }
  }
  printf("{\"us\": %.1f}\n", now_us() - start);
  return 0;
}
