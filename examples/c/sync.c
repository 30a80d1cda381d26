/* Catalog sync, as a POS or back-office program in C would write it: read a JSON list of
 * products and upsert them all into Caffesta by their ref_codes, with a progress bar.
 *
 *   cc sync.c $(pkg-config --cflags --libs caffesta jansson) -o sync
 *   CAFFESTA_ACCOUNT=mycafe CAFFESTA_API_KEY=... ./sync [-v] catalog.json
 *   CAFFESTA_BASE_URL=http://127.0.0.1:8765 ...   (the emulator, or any base URL)
 *
 * -v prints the library's request log (one JSON event per attempt) on stderr. Ctrl-C stops the
 * sync cleanly: products not sent yet are not sent, those in flight finish, and the report says
 * what was done (exit status 130).
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

/* SIGINT: caffesta_client_cancel() is async-signal-safe. The flag covers a Ctrl-C that comes
 * before the bulk call has started, which the cancel would not reach. */
static void on_sigint(int signal_number) {
  (void)signal_number;
  interrupted = 1;
  caffesta_client_cancel(client);
}

static void print_event(void *user_data, const char *event_json) {
  (void)user_data;
  fprintf(stderr, "caffesta: %s\n", event_json);
}

static void progress_bar(void *user_data, size_t done, size_t total) {
  (void)user_data;
  int width = 30, filled = total ? (int)(width * done / total) : width;
  fprintf(stderr, "\r[%.*s%.*s] %zu/%zu%s", filled, "##############################", width - filled,
          "------------------------------", done, total, done == total ? "\n" : "");
}

static const char *env_or(const char *name, const char *fallback) {
  const char *value = getenv(name);
  return value && *value ? value : fallback;
}

int main(int argc, char **argv) {
  int verbose = argc == 3 && strcmp(argv[1], "-v") == 0;
  if (argc != 2 + verbose) {
    fprintf(stderr, "usage: %s [-v] CATALOG.json\n", argv[0]);
    return 2;
  }
  const char *path = argv[1 + verbose];
  json_error_t error;
  json_t *catalog = json_load_file(path, 0, &error);
  if (!json_is_array(catalog)) {
    fprintf(stderr, "%s: not a JSON list of products (%s)\n", path, error.text);
    return 2;
  }

  client = caffesta_client_new(env_or("CAFFESTA_ACCOUNT", "demo"), env_or("CAFFESTA_API_KEY", ""));
  if (client == NULL) {
    fprintf(stderr, "cannot create a client: %s\n", caffesta_last_error());
    return 1;
  }
  const char *base_url = getenv("CAFFESTA_BASE_URL");
  if (base_url && caffesta_client_set_base_url(client, base_url) != CAFFESTA_OK) {
    fprintf(stderr, "bad CAFFESTA_BASE_URL: %s\n", caffesta_last_error());
    return 1;
  }

  if (verbose) caffesta_client_set_log(client, print_event, NULL);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);

  /* One bulk call: several requests in flight, a progress bar, a report in catalog order. */
  caffesta_client_set_progress(client, progress_bar, NULL);
  char *catalog_text = json_dumps(catalog, JSON_COMPACT);
  char *report_text = NULL;
  caffesta_status status = interrupted ? CAFFESTA_ERR_CANCELLED
                                       : caffesta_products_upsert_many(client, catalog_text, 4, &report_text);
  free(catalog_text);
  if (status == CAFFESTA_ERR_CANCELLED) fprintf(stderr, "\ninterrupted: what was done follows\n");
  if (report_text == NULL) {
    fprintf(stderr, "sync failed: %s: %s\n", caffesta_status_name(status),
            interrupted ? "interrupted before it began" : caffesta_last_error());
    return interrupted ? 130 : 1;
  }
  json_t *report = json_loads(report_text, 0, NULL);
  caffesta_string_free(report_text);
  size_t index, created = 0, updated = 0, failed = 0, cancelled = 0;
  json_t *entry;
  json_array_foreach(report, index, entry) {
    const char *action = json_string_value(json_object_get(entry, "action"));
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
  json_decref(catalog);
  if (status == CAFFESTA_ERR_CANCELLED) return 130;
  return failed == 0 ? 0 : 1;
}
