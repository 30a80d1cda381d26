/* Catalog sync, as a POS or back-office program in C would write it: read a JSON list of
 * products and upsert them all into Caffesta by their ref_codes, with a progress bar.
 *
 *   cc sync.c $(pkg-config --cflags --libs caffesta jansson) -o sync
 *   CAFFESTA_ACCOUNT=mycafe CAFFESTA_API_KEY=... ./sync catalog.json
 *   CAFFESTA_BASE_URL=http://127.0.0.1:8765 ...   (the emulator, or any base URL)
 */
#include <caffesta.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  if (argc != 2) {
    fprintf(stderr, "usage: %s CATALOG.json\n", argv[0]);
    return 2;
  }
  json_error_t error;
  json_t *catalog = json_load_file(argv[1], 0, &error);
  if (!json_is_array(catalog)) {
    fprintf(stderr, "%s: not a JSON list of products (%s)\n", argv[1], error.text);
    return 2;
  }

  caffesta_client *client = caffesta_client_new(env_or("CAFFESTA_ACCOUNT", "demo"), env_or("CAFFESTA_API_KEY", ""));
  if (client == NULL) {
    fprintf(stderr, "cannot create a client: %s\n", caffesta_last_error());
    return 1;
  }
  const char *base_url = getenv("CAFFESTA_BASE_URL");
  if (base_url && caffesta_client_set_base_url(client, base_url) != CAFFESTA_OK) {
    fprintf(stderr, "bad CAFFESTA_BASE_URL: %s\n", caffesta_last_error());
    return 1;
  }

  /* One bulk call: several requests in flight, a progress bar, a report in catalog order. */
  caffesta_client_set_progress(client, progress_bar, NULL);
  char *catalog_text = json_dumps(catalog, JSON_COMPACT);
  char *report_text = NULL;
  caffesta_status status = caffesta_products_upsert_many(client, catalog_text, 4, &report_text);
  free(catalog_text);
  if (status != CAFFESTA_OK && status != CAFFESTA_ERR_PARTIAL) {
    fprintf(stderr, "sync failed: %s: %s\n", caffesta_status_name(status), caffesta_last_error());
    return 1;
  }
  json_t *report = json_loads(report_text, 0, NULL);
  caffesta_string_free(report_text);
  size_t index, created = 0, updated = 0, failed = 0;
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
    printf("%-8s %-24s id %lld\n", action, ref_code ? ref_code : "?",
           (long long)json_integer_value(json_object_get(entry, "id")));
    if (action[0] == 'c') created++; else updated++;
  }
  json_decref(report);
  printf("C sync: %zu created, %zu updated, %zu failed\n", created, updated, failed);
  caffesta_client_free(client);
  json_decref(catalog);
  return failed == 0 ? 0 : 1;
}
