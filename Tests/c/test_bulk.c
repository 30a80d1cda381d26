/* caffesta_products_upsert_many against the emulator: every item accounted for, in input
 * order, none written twice, progress monotone and ending at the total. */
#include "caffesta.h"
#include "harness.h"

static caffesta_client *client;

typedef struct { size_t calls, last_done, last_total; int monotone; } progress_log;

static void on_progress(void *user_data, size_t done, size_t total) {
  progress_log *log = user_data;
  if (done != log->last_done + 1 || (log->calls > 0 && total != log->last_total)) log->monotone = 0;
  log->calls++;
  log->last_done = done;
  log->last_total = total;
}

static json_t *batch(const char *prefix, int count) {
  json_t *items = json_array();
  for (int i = 0; i < count; i++) {
    char ref[64];
    snprintf(ref, sizeof ref, "%s-%05d", prefix, i);
    json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:i, s:s, s:s, s:[]}", "ref_code", ref,
                                           "name", "Товар", "measure", "pcs", "type", "product", "cancellation_type", 0,
                                           "for_sale", 1, "use_discounts", 1, "caf_tax_id", 1, "category_ref_code", "c",
                                           "workspace_ref_code", "w", "prices"));
  }
  return items;
}

/* Runs one batch; checks the report's order and shape; returns it (caller decrefs). */
static json_t *run(json_t *items, int concurrency, caffesta_status expected, progress_log *log) {
  char *text = json_dumps(items, JSON_COMPACT);
  char *report = NULL;
  *log = (progress_log){0, 0, 0, 1};
  CHECK_STATUS(caffesta_client_set_progress(client, on_progress, log), CAFFESTA_OK);
  CHECK_STATUS(caffesta_products_upsert_many(client, text, concurrency, &report), expected);
  free(text);
  json_t *parsed_report = parsed(report);
  caffesta_string_free(report);
  CHECK(json_is_array(parsed_report) && json_array_size(parsed_report) == json_array_size(items));
  for (size_t i = 0; i < json_array_size(items); i++) {
    json_t *in = json_object_get(json_array_get(items, i), "ref_code");
    json_t *out = json_object_get(json_array_get(parsed_report, i), "ref_code");
    if (json_is_string(in) && !(json_is_string(out) && strcmp(json_string_value(in), json_string_value(out)) == 0)) {
      harness_checks_failed++;
      fprintf(stderr, "  report entry %zu is not item %zu\n", i, i);
      break;
    }
  }
  CHECK(log->monotone);
  CHECK(log->last_done == json_array_size(items) && log->last_total == json_array_size(items));
  CHECK(log->calls == json_array_size(items));
  return parsed_report;
}

static size_t count_action(json_t *report, const char *action) {
  size_t n = 0, i;
  json_t *entry;
  json_array_foreach(report, i, entry) {
    if (strcmp(json_string_value(json_object_get(entry, "action")), action) == 0) n++;
  }
  return n;
}

static void test_creates_then_updates_at_several_concurrencies(void) {
  const int concurrencies[] = {1, 8, 64};
  const int sizes[] = {300, 2000, 2000};
  for (int k = 0; k < 3; k++) {
    emulator_reset();
    long before = emulator_stat("products");
    char prefix[32];
    snprintf(prefix, sizeof prefix, "bulk%d", concurrencies[k]);
    json_t *items = batch(prefix, sizes[k]);
    progress_log log;
    json_t *report = run(items, concurrencies[k], CAFFESTA_OK, &log);
    CHECK(count_action(report, "created") == (size_t)sizes[k]);
    CHECK(emulator_stat("products") - before == sizes[k]);
    json_decref(report);
    report = run(items, concurrencies[k], CAFFESTA_OK, &log);
    CHECK(count_action(report, "updated") == (size_t)sizes[k]);
    CHECK(emulator_stat("products") - before == sizes[k]);
    json_t *first = json_array_get(report, 0);
    CHECK(json_integer_value(json_object_get(first, "id")) > 0);
    json_decref(report);
    json_decref(items);
  }
}

static void test_faults_are_reported_never_dropped_or_repeated(void) {
  emulator_reset();
  free(emulator_admin("DELETE", "/__emulator/requests", NULL));
  long before = emulator_stat("products");
  json_t *items = batch("fault", 2000);
  /* Item 10: two 503s on its PUT, then success after retries. */
  emulator_fault("{\"kind\":\"status\",\"status\":503,\"count\":2,\"path_prefix\":\"/a/v1.0/product/by_ref_code/fault-00010\"}");
  /* Item 20: a 500 on its PUT: not retried, reported. */
  emulator_fault("{\"kind\":\"status\",\"status\":500,\"count\":1,\"path_prefix\":\"/a/v1.0/product/by_ref_code/fault-00020\"}");
  /* Some item's POST is applied and the connection dropped: reported as a network error, never resent. */
  emulator_fault("{\"kind\":\"apply_then_close\",\"method\":\"POST\",\"count\":1,\"path_prefix\":\"/a/v1.0/product/\"}");
  /* Items that are not products fail alone. */
  json_array_set_new(items, 30, json_string("not a product"));
  json_object_set_new(json_array_get(items, 40), "ref_code", json_string(""));
  progress_log log;
  json_t *report = run(items, 16, CAFFESTA_ERR_PARTIAL, &log);
  CHECK(strstr(caffesta_last_error(), "4 items failed") != NULL);
  CHECK(count_action(report, "failed") == 4);
  CHECK(count_action(report, "created") == 1996);
  json_t *e10 = json_array_get(report, 10), *e20 = json_array_get(report, 20), *e30 = json_array_get(report, 30);
  CHECK(strcmp(json_string_value(json_object_get(e10, "action")), "created") == 0);
  CHECK(strcmp(json_string_value(json_object_get(e20, "status")), "CAFFESTA_ERR_SERVER") == 0);
  CHECK(json_integer_value(json_object_get(e20, "http_status")) == 500);
  CHECK(strcmp(json_string_value(json_object_get(e30, "status")), "CAFFESTA_ERR_INVALID_ARGUMENT") == 0);
  CHECK(json_is_null(json_object_get(e30, "ref_code")));
  CHECK(strcmp(json_string_value(json_object_get(json_array_get(report, 40), "ref_code")), "") == 0);
  size_t network = 0, i;
  json_t *entry;
  json_array_foreach(report, i, entry) {
    const char *status = json_string_value(json_object_get(entry, "status"));
    if (status && strcmp(status, "CAFFESTA_ERR_NETWORK") == 0) network++;
  }
  CHECK(network == 1);
  /* The dropped POST was applied once and never sent again: 1997 rows, one POST per created item. */
  CHECK(emulator_stat("products") - before == 1997);
  char *log_text = emulator_admin("GET", "/__emulator/requests", NULL);
  json_t *requests = parsed(log_text);
  size_t posts = 0;
  json_array_foreach(requests, i, entry) {
    if (strcmp(json_string_value(json_object_get(entry, "method")), "POST") == 0) posts++;
  }
  CHECK(posts == 1997);
  json_decref(requests);
  free(log_text);
  json_decref(report);
  json_decref(items);
}

static void test_bad_batches(void) {
  char *report = (char *)1;
  CHECK_STATUS(caffesta_products_upsert_many(client, "[]", 4, &report), CAFFESTA_OK);
  CHECK(report && strcmp(report, "[]") == 0);
  caffesta_string_free(report);
  report = (char *)1;
  CHECK_STATUS(caffesta_products_upsert_many(client, "{}", 4, &report), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(report == NULL);
  CHECK_STATUS(caffesta_products_upsert_many(client, "[]", 0, &report), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_products_upsert_many(client, "[]", 65, &report), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_products_upsert_many(client, "[", 4, &report), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_products_upsert_many(client, NULL, 4, &report), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_products_upsert_many(client, "[]", 4, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_products_upsert_many(NULL, "[]", 4, &report), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_progress(NULL, NULL, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_progress(client, NULL, NULL), CAFFESTA_OK);
}

int main(void) {
  client = caffesta_client_new("demo", emulator_key());
  caffesta_client_set_base_url(client, emulator_url());
  static const test_case tests[] = {
    {"creates_then_updates_at_several_concurrencies", test_creates_then_updates_at_several_concurrencies},
    {"faults_are_reported_never_dropped_or_repeated", test_faults_are_reported_never_dropped_or_repeated},
    {"bad_batches", test_bad_batches},
  };
  int rc = run_tests(tests, sizeof tests / sizeof *tests);
  caffesta_client_free(client);
  return rc;
}
