/* Catalog sync, as a POS or back-office program in C would write it: read a JSON list of
 * products and upsert each one into Caffesta by its ref_code.
 *
 *   cc sync.c $(pkg-config --cflags --libs caffesta jansson) -o sync
 *   CAFFESTA_ACCOUNT=mycafe CAFFESTA_API_KEY=... ./sync catalog.json
 *   CAFFESTA_BASE_URL=http://127.0.0.1:8080 ...   (the emulator, or any base URL)
 */
#include <caffesta.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

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

  size_t index, created = 0, updated = 0, failed = 0;
  json_t *product;
  json_array_foreach(catalog, index, product) {
    char *body = json_dumps(product, JSON_COMPACT);
    char *result = NULL;
    caffesta_status status = caffesta_product_upsert(client, body, &result);
    if (status == CAFFESTA_OK) {
      json_t *r = json_loads(result, 0, NULL);
      const char *action = json_string_value(json_object_get(r, "action"));
      printf("%-8s %-24s id %lld\n", action, json_string_value(json_object_get(r, "ref_code")),
             (long long)json_integer_value(json_object_get(r, "id")));
      if (action && action[0] == 'c') created++; else updated++;
      json_decref(r);
    } else {
      printf("failed   item %zu: %s: %s\n", index, caffesta_status_name(status), caffesta_last_error());
      failed++;
    }
    caffesta_string_free(result);
    free(body);
  }
  printf("C sync: %zu created, %zu updated, %zu failed\n", created, updated, failed);
  caffesta_client_free(client);
  json_decref(catalog);
  return failed == 0 ? 0 : 1;
}
