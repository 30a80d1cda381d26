/* Catalog sync, as a POS or back-office program in C would write it: read a JSON list of
 * products and upsert them all into Caffesta by their ref_codes, with a progress bar.
 *
 *   cc sync.c $(pkg-config --cflags --libs caffesta jansson) -o sync      (library installed)
 *   CAFFESTA_ACCOUNT=mycafe CAFFESTA_API_KEY=... ./sync [-v] catalog.json
 *   CAFFESTA_BASE_URL=http://127.0.0.1:8765 ...   (the emulator, or any base URL)
 *
 * Built from the repository against the staged library (make stage), as the README shows:
 *   PKG_CONFIG_PATH=$PWD/build/stage/lib/pkgconfig make -C examples   # examples/build/sync-c
 *   LD_LIBRARY_PATH=$PWD/build/stage/lib examples/build/sync-c ...     # the .pc sets no rpath
 *
 * The catalog file's text is sent as written (4.20 goes out as 4.20). The key is checked first
 * (caffesta_auth_test), so a wrong key costs one request, not one per product. -v prints the
 * library's request log (one JSON event per attempt) on stderr. Ctrl-C stops the sync cleanly:
 * products not sent yet are not sent, those in flight finish, and the summary says how many
 * were done and how many were not sent (exit status 130).
 */
#define _POSIX_C_SOURCE 200809L
#include <caffesta.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static caffesta_client *client;
static volatile sig_atomic_t interrupted;
static int bar_open; /* the progress bar's line has no '\n' yet */

/* SIGINT: caffesta_client_cancel() is async-signal-safe. The flag covers a Ctrl-C that comes
 * before the bulk call has started, which the cancel would not reach. */
static void on_sigint(int signal_number) {
  (void)signal_number;
  interrupted = 1;
  caffesta_client_cancel(client);
}

/* -v: one JSON event per attempt, each on a line of its own (the bar's line is ended first;
 * the next progress call draws the bar again). */
static void print_event(void *user_data, const char *event_json) {
  (void)user_data;
  if (bar_open) fputc('\n', stderr);
  bar_open = 0;
  fprintf(stderr, "caffesta: %s\n", event_json);
}

/* After Ctrl-C the library counts the items it will never send as finished, so the bar stops
 * there: the summary then says how many were done and how many were not sent. */
static void progress_bar(void *user_data, size_t done, size_t total) {
  (void)user_data;
  if (interrupted) return;
  int width = 30, filled = total ? (int)(width * done / total) : width;
  fprintf(stderr, "\r[%.*s%.*s] %zu/%zu", filled, "##############################", width - filled,
          "------------------------------", done, total);
  bar_open = done != total;
  if (!bar_open) fputc('\n', stderr);
}

static const char *env_or(const char *name, const char *fallback) {
  const char *value = getenv(name);
  return value && *value ? value : fallback;
}

/* The whole file as a NUL-terminated string (NULL with errno set on failure). */
static char *read_file(const char *path, size_t *length) {
  FILE *file = fopen(path, "rb");
  if (file == NULL) return NULL;
  size_t capacity = 1 << 16, used = 0, got;
  char *text = malloc(capacity);
  while (text != NULL && (got = fread(text + used, 1, capacity - used - 1, file)) > 0) {
    used += got;
    if (capacity - used - 1 == 0) {
      char *bigger = realloc(text, capacity *= 2);
      if (bigger == NULL) free(text);
      text = bigger;
    }
  }
  int failed = ferror(file);
  fclose(file);
  if (text == NULL || failed) { free(text); return NULL; }
  text[used] = '\0';
  *length = used;
  return text;
}

int main(int argc, char **argv) {
  int verbose = argc == 3 && strcmp(argv[1], "-v") == 0;
  if (argc != 2 + verbose) {
    fprintf(stderr, "usage: %s [-v] CATALOG.json\n", argv[0]);
    return 2;
  }
  const char *path = argv[1 + verbose];
  const char *api_key = env_or("CAFFESTA_API_KEY", NULL);
  if (api_key == NULL) {
    fprintf(stderr, "set CAFFESTA_API_KEY to the account's API key (and CAFFESTA_ACCOUNT to its name)\n");
    return 2;
  }
  /* The file's text goes to the library as written: parsing and printing it again (json_dumps)
   * would send 4.20 as 4.2000000000000002. jansson only checks that it is a list. */
  size_t length = 0;
  char *catalog_text = read_file(path, &length);
  if (catalog_text == NULL) {
    fprintf(stderr, "%s: cannot read it\n", path);
    return 2;
  }
  json_error_t error;
  json_t *catalog = json_loadb(catalog_text, length, 0, &error);
  if (!json_is_array(catalog)) {
    fprintf(stderr, "%s: not a JSON list of products (%s)\n", path,
            catalog ? "not a list" : error.text);
    return 2;
  }
  size_t total = json_array_size(catalog);
  json_decref(catalog);

  client = caffesta_client_new(env_or("CAFFESTA_ACCOUNT", "demo"), api_key);
  if (client == NULL) {
    fprintf(stderr, "cannot create a client (check CAFFESTA_ACCOUNT and CAFFESTA_API_KEY): %s\n",
            caffesta_last_error());
    return 2;
  }
  const char *base_url = getenv("CAFFESTA_BASE_URL");
  if (base_url && caffesta_client_set_base_url(client, base_url) != CAFFESTA_OK) {
    fprintf(stderr, "bad CAFFESTA_BASE_URL: %s\n", caffesta_last_error());
    return 2;
  }

  if (verbose) caffesta_client_set_log(client, print_event, NULL);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);

  /* The key first: a refused key is one 401, not one per product. */
  caffesta_status status = caffesta_auth_test(client);
  if (status != CAFFESTA_OK) {
    fprintf(stderr, "the key check failed: %s: %s\n", caffesta_status_name(status), caffesta_last_error());
    caffesta_client_free(client);
    return status == CAFFESTA_ERR_CANCELLED || interrupted ? 130 : 1;
  }

  /* One bulk call: several requests in flight, a progress bar, a report in catalog order. */
  caffesta_client_set_progress(client, progress_bar, NULL);
  char *report_text = NULL;
  status = interrupted ? CAFFESTA_ERR_CANCELLED
                       : caffesta_products_upsert_many(client, catalog_text, 4, &report_text);
  free(catalog_text);
  if (bar_open) fputc('\n', stderr);
  if (status == CAFFESTA_ERR_CANCELLED) fprintf(stderr, "interrupted: what was done follows\n");
  if (report_text == NULL) {
    if (interrupted) {
      printf("C sync: 0 created, 0 updated, 0 failed, %zu not sent (interrupted before it began)\n", total);
      return 130;
    }
    fprintf(stderr, "sync failed: %s: %s\n", caffesta_status_name(status), caffesta_last_error());
    return 1;
  }
  json_t *report = json_loads(report_text, 0, NULL);
  caffesta_string_free(report_text);
  size_t index, created = 0, updated = 0, failed = 0, cancelled = 0;
  json_t *entry;
  json_array_foreach(report, index, entry) {
    const char *action = json_string_value(json_object_get(entry, "action"));
    if (action == NULL) action = "failed";
    const char *ref_code = json_string_value(json_object_get(entry, "ref_code"));
    if (strcmp(action, "failed") == 0) {
      printf("failed   item %zu: %s: %s\n", index, json_string_value(json_object_get(entry, "status")),
             json_string_value(json_object_get(entry, "message")));
      failed++;
      continue;
    }
    if (strcmp(action, "cancelled") == 0) {
      cancelled++; /* never sent */
      continue;
    }
    printf("%-8s %-24s id %lld\n", action, ref_code ? ref_code : "?",
           (long long)json_integer_value(json_object_get(entry, "id")));
    if (action[0] == 'c') created++; else updated++;
  }
  json_decref(report);
  printf("C sync: %zu created, %zu updated, %zu failed", created, updated, failed);
  if (status == CAFFESTA_ERR_CANCELLED) printf(", %zu not sent (interrupted)", cancelled);
  printf("\n");
  caffesta_client_free(client);
  if (status == CAFFESTA_ERR_CANCELLED) return 130;
  return failed == 0 ? 0 : 1;
}
