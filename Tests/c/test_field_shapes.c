/* The API's final shapes (the docs' last version and what integrators see in the field):
 * storage ids from the label, invoice status not_wired, delivery orders in both answer forms,
 * server error texts wherever the server puts them, feeds answering code "error", sales exports
 * wrapped in {"data", "success"} with add_gr_by, menu import prices, product pages of any size.
 * Against the emulator; answers it does not give on its own come from its "body" fault. */
#include "caffesta.h"
#include "harness.h"

static caffesta_client *client;

/* The next request whose path starts with prefix answers exactly this JSON. */
static void answer_once(const char *prefix, const char *json) {
  size_t size = strlen(prefix) + strlen(json) + 64;
  char *fault = malloc(size);
  snprintf(fault, size, "{\"kind\": \"body\", \"path_prefix\": \"%s\", \"json\": %s}", prefix, json);
  emulator_fault(fault);
  free(fault);
}

static size_t logged_requests(void) {
  char *log = emulator_admin("GET", "/__emulator/requests", NULL);
  json_t *list = parsed(log);
  size_t count = json_array_size(list);
  json_decref(list);
  free(log);
  return count;
}

static int log_contains(const char *text) {
  char *log = emulator_admin("GET", "/__emulator/requests", NULL);
  int found = log && strstr(log, text) != NULL;
  free(log);
  return found;
}

/* 1. The id is the N of "(id:N)", the key only a position. */
static void test_storage_ids_from_labels(void) {
  emulator_reset();
  char *out = NULL;
  json_t *list = call_json(caffesta_storages_list(client, &out), &out);
  CHECK(json_array_size(list) >= 2);
  size_t i;
  json_t *entry;
  json_array_foreach(list, i, entry) {
    char expected[64];
    snprintf(expected, sizeof expected, "(id:%lld)", (long long)json_integer_value(json_object_get(entry, "id")));
    CHECK(strncmp(text_of(entry, "label"), expected, strlen(expected)) == 0);
    CHECK(json_integer_value(json_object_get(entry, "position")) == (json_int_t)(i + 1));
  }
  json_decref(list);

  /* Keys out of order, a gap in the ids, a label without an id, an id above 2^53. */
  answer_once("/a/v1.0/draft/storages",
              "{\"3\": \"Без номера\", \"1\": \"(id:1) Склад кафе\", \"2\": \"(id:7) Общий склад\","
              " \"4\": \"(id:900719925474099312) Далёкий склад\"}");
  list = call_json(caffesta_storages_list(client, &out), &out);
  CHECK(json_array_size(list) == 4);
  json_t *first = json_array_get(list, 0), *second = json_array_get(list, 1), *third = json_array_get(list, 2);
  CHECK(json_integer_value(json_object_get(first, "id")) == 1);
  CHECK(strcmp(text_of(first, "name"), "Склад кафе") == 0);
  CHECK(json_integer_value(json_object_get(second, "id")) == 7);
  CHECK(json_integer_value(json_object_get(second, "position")) == 2);
  CHECK(strcmp(text_of(second, "name"), "Общий склад") == 0);
  CHECK(strcmp(text_of(second, "label"), "(id:7) Общий склад") == 0);
  CHECK(json_is_null(json_object_get(third, "id")));
  CHECK(strcmp(text_of(third, "name"), "Без номера") == 0);
  CHECK(json_integer_value(json_object_get(json_array_get(list, 3), "id")) == 900719925474099312LL);
  json_decref(list);

  answer_once("/a/v1.0/draft/storages", "{\"first\": \"(id:1) Склад\"}");
  CHECK_STATUS(caffesta_storages_list(client, &out), CAFFESTA_ERR_PROTOCOL);
  CHECK(out == NULL);
  answer_once("/a/v1.0/draft/storages", "{\"1\": 5}");
  CHECK_STATUS(caffesta_storages_list(client, &out), CAFFESTA_ERR_PROTOCOL);
}

/* 2. Invoices: not_wired, list summaries, one invoice's final fields; unwired still reads. */
static void test_invoice_status_and_shapes(void) {
  emulator_reset();
  char *sample = sample_text("invoice_create.request.json");
  long long id = 0;
  CHECK_STATUS(caffesta_invoice_create(client, sample, &id), CAFFESTA_OK);
  free(sample);
  char *out = NULL;
  json_t *invoice = call_json(caffesta_invoice_get(client, id, &out), &out);
  CHECK(strcmp(text_of(invoice, "status"), "not_wired") == 0);
  CHECK(json_is_object(json_object_get(invoice, "shipper")) &&
        json_object_get(json_object_get(invoice, "shipper"), "ref_code") != NULL);
  CHECK(json_object_get(invoice, "updated_by") != NULL);
  json_decref(invoice);

  json_t *list = call_json(caffesta_invoices_list(client, "2000-01-01", &out), &out);
  CHECK(json_array_size(list) == 1);
  json_t *summary = json_array_get(list, 0);
  const char *fields[] = {"id", "name", "total_amount", "total_wo_nds", "total_nds_sum", "type", "shipper",
                          "created_at", "created_by", "updated_at", "updated_by", "storage", "status",
                          "finished", "doc_date", "paid"};
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
    if (json_object_get(summary, fields[i]) == NULL) {
      CHECK(!"a summary field is missing");
      fprintf(stderr, "    missing: %s\n", fields[i]);
    }
  }
  CHECK(json_object_get(summary, "items") == NULL);
  CHECK(strcmp(text_of(summary, "status"), "not_wired") == 0);
  json_decref(list);

  /* The docs' own final examples pass through as they are, and "unwired" (the list table's
   * older word) is an answer like any other, not an error. */
  char *get_sample = sample_text("invoice_get.response.json");
  answer_once("/a/v1.0/storage/invoices/", get_sample);
  json_t *expected = parsed(get_sample);
  invoice = call_json(caffesta_invoice_get(client, 5, &out), &out);
  CHECK(json_equal(invoice, json_object_get(expected, "data")));
  json_decref(invoice);
  json_decref(expected);
  free(get_sample);
  answer_once("/a/v1.0/storage/invoices/", "{\"success\": true, \"data\": {\"id\": 5, \"status\": \"unwired\"}}");
  invoice = call_json(caffesta_invoice_get(client, 5, &out), &out);
  CHECK(strcmp(text_of(invoice, "status"), "unwired") == 0);
  json_decref(invoice);
}

/* 3. Orders: the v1.1 path answers at once, the v1.0 path through a job; both in one result. */
static void test_order_answer_forms(void) {
  emulator_reset();
  char *order = sample_text("order_create.request.json");
  char *out = NULL;
  json_t *done = call_json(caffesta_order_submit(client, order, &out), &out);
  CHECK(log_contains("/a/v1.1/draft/receipts"));
  CHECK(json_is_null(json_object_get(done, "job_id")));
  CHECK(strcmp(text_of(done, "status"), "success") == 0);
  CHECK(strlen(text_of(done, "uuid")) == 36);
  char *done_text = json_dumps(done, JSON_COMPACT);
  size_t before = logged_requests();
  json_t *waited = call_json(caffesta_order_wait_submitted(client, done_text, 5000, &out), &out);
  CHECK(logged_requests() == before); /* done already: no request */
  CHECK(strcmp(text_of(waited, "uuid"), text_of(done, "uuid")) == 0);
  CHECK(caffesta_last_http_status() == 0);
  json_t *receipts = call_json(caffesta_receipt_info(client, text_of(done, "uuid"), &out), &out);
  CHECK(json_array_size(receipts) == 1);
  CHECK(strcmp(text_of(json_array_get(receipts, 0), "status"), "wait_cashier") == 0);
  json_decref(receipts);
  json_decref(waited);
  json_decref(done);
  free(done_text);

  /* The old call cannot hand back a UUID: OK with job 0 (the order is made). */
  long long job = -1;
  CHECK_STATUS(caffesta_order_create(client, order, &job), CAFFESTA_OK);
  CHECK(job == 0);

  /* Through a job (the v1.0 path): pending, then polled to the UUID. */
  CHECK_STATUS(caffesta_client_set_order_path(client, "/a/v1.0/draft/receipts"), CAFFESTA_OK);
  json_t *pending = call_json(caffesta_order_submit(client, order, &out), &out);
  CHECK(json_integer_value(json_object_get(pending, "job_id")) > 0);
  CHECK(strcmp(text_of(pending, "status"), "pending") == 0);
  CHECK(json_is_null(json_object_get(pending, "uuid")));
  char *pending_text = json_dumps(pending, JSON_COMPACT);
  waited = call_json(caffesta_order_wait_submitted(client, pending_text, 10000, &out), &out);
  CHECK(strcmp(text_of(waited, "status"), "success") == 0);
  CHECK(strlen(text_of(waited, "uuid")) == 36);
  CHECK(json_integer_value(json_object_get(waited, "job_id")) == json_integer_value(json_object_get(pending, "job_id")));
  json_decref(waited);
  json_decref(pending);
  free(pending_text);

  /* The job status answer wrapped or bare. */
  CHECK_STATUS(caffesta_order_create(client, order, &job), CAFFESTA_OK);
  CHECK(job > 0);
  answer_once("/a/v1.0/draft/get_job_status/",
              "{\"job_id\": \"54300999\", \"status\": \"success\", \"message\": \"b6a5c1d8-0b1f-4c55-9d2e-2f1f2d0c3a11\"}");
  waited = call_json(caffesta_order_wait(client, job, 10000, &out), &out);
  CHECK(strcmp(text_of(waited, "message"), "b6a5c1d8-0b1f-4c55-9d2e-2f1f2d0c3a11") == 0);
  json_decref(waited);
  CHECK_STATUS(caffesta_client_set_order_path(client, "/a/v1.1/draft/receipts"), CAFFESTA_OK);

  /* status failed: an API error with the server's reason, from either call. */
  answer_once("/a/v1.1/draft/receipts", "{\"success\": true, \"data\": {\"status\": \"failed\", \"message\": \"Продукт 999 не найден\"}}");
  CHECK_STATUS(caffesta_order_submit(client, order, &out), CAFFESTA_ERR_API);
  CHECK(out == NULL);
  CHECK(strstr(caffesta_last_error(), "Продукт 999 не найден") != NULL);
  answer_once("/a/v1.1/draft/receipts", "{\"success\": true, \"data\": {\"status\": \"failed\", \"message\": \"closed\"}}");
  CHECK_STATUS(caffesta_order_create(client, order, &job), CAFFESTA_ERR_API);
  CHECK(strstr(caffesta_last_error(), "closed") != NULL);
  /* An answer with neither a job nor a UUID. */
  answer_once("/a/v1.1/draft/receipts", "{\"success\": true, \"data\": {\"status\": \"success\"}}");
  CHECK_STATUS(caffesta_order_submit(client, order, &out), CAFFESTA_ERR_PROTOCOL);

  /* The emulator follows the docs' order rules: a new client names its fields. */
  json_t *bad = parsed(order);
  json_t *bill = json_object_get(bad, "bill");
  json_object_set_new(bill, "client", json_pack("{s:s}", "name", "Пётр"));
  char *bad_text = json_dumps(bad, JSON_COMPACT);
  CHECK(caffesta_order_submit(client, bad_text, &out) == CAFFESTA_ERR_API);
  CHECK(strstr(caffesta_last_error(), "last_name") != NULL);
  free(bad_text);
  json_decref(bad);

  CHECK_STATUS(caffesta_order_wait_submitted(client, "{\"job_id\": null, \"status\": \"pending\"}", 1000, &out),
               CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_order_wait_submitted(client, "{\"job_id\": -4}", 1000, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_order_wait_submitted(client, NULL, 1000, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_order_submit(client, "[]", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  free(order);
}

/* 4 and 5. The server's text wherever it puts it. */
static void test_server_error_texts(void) {
  emulator_reset();
  char *out = NULL;
  answer_once("/a/v1.0/storage/invoices/",
              "{\"success\": false, \"data\": {\"status\": \"SQLSTATE[23505]: Unique violation: duplicate key\"}}");
  CHECK_STATUS(caffesta_invoice_get(client, 3, &out), CAFFESTA_ERR_API);
  CHECK(strstr(caffesta_last_error(), "SQLSTATE[23505]: Unique violation") != NULL);
  answer_once("/a/v1.0/storage/invoices/", "{\"success\": false, \"data\": {\"message\": \"Накладная закрыта\"}}");
  CHECK_STATUS(caffesta_invoice_wire(client, 3), CAFFESTA_ERR_API);
  CHECK(strstr(caffesta_last_error(), "Накладная закрыта") != NULL);
  emulator_fault("{\"kind\": \"body\", \"status\": 500, \"path_prefix\": \"/a/v1.0/draft/store/\","
                 " \"json\": {\"success\": false, \"data\": {\"message\": \"storage module is off\"}}}");
  CHECK_STATUS(caffesta_storage_stock(client, 1, &out), CAFFESTA_ERR_SERVER);
  CHECK(strstr(caffesta_last_error(), "storage module is off") != NULL);

  /* A feed answering code "error". */
  answer_once("/a/v1.0/draft/get_updates/", "{\"code\": \"error\", \"message\": \"POS 2 is blocked\"}");
  CHECK_STATUS(caffesta_updates_get(client, 2, &out), CAFFESTA_ERR_API);
  CHECK(strstr(caffesta_last_error(), "POS 2 is blocked") != NULL);
  answer_once("/a/v1.0/draft/get_products0/", "{\"code\": \"error\", \"data\": {\"message\": \"bad ts\"}}");
  CHECK_STATUS(caffesta_products_all(client, 2, 0, &out), CAFFESTA_ERR_API);
  CHECK(strstr(caffesta_last_error(), "bad ts") != NULL);
  answer_once("/a/v1.0/draft/get_balances/", "{\"code\": \"error\"}");
  CHECK_STATUS(caffesta_balances_get(client, 2, 0, &out), CAFFESTA_ERR_API);
  CHECK(strstr(caffesta_last_error(), "code \"error\"") != NULL);
  /* In a success, data.message is data (an order's UUID), not an error. */
  answer_once("/a/v1.0/draft/get_job_status/", "{\"success\": true, \"data\": {\"job_id\": 7, \"status\": \"pending\", \"message\": null}}");
  json_t *job = call_json(caffesta_order_job_status(client, 7, &out), &out);
  CHECK(strcmp(text_of(job, "status"), "pending") == 0);
  json_decref(job);
}

/* 6. Sales exports: {"data", "success"}, null terminal ids, add_gr_by, the final receipts. */
static void test_sales_shapes(void) {
  emulator_reset();
  char *out = NULL;
  answer_once("/a/v1.0/product/export_sales_totals",
              "{\"data\": [{\"qnt\": \"2\", \"caf_terminal_id\": null, \"cafe_workspace_id\": 1, \"cash\": \"8.00\","
              " \"card\": \"0\", \"cashless\": \"0\", \"credit\": \"0\", \"discount\": \"0\", \"total_pay\": \"8.00\"}],"
              " \"success\": true}");
  json_t *rows = call_json(caffesta_sales_by_pos(client, NULL, NULL, "2022-04-20", &out), &out);
  CHECK(json_array_size(rows) == 1);
  CHECK(json_is_null(json_object_get(json_array_get(rows, 0), "caf_terminal_id")));
  CHECK(strcmp(text_of(json_array_get(rows, 0), "total_pay"), "8.00") == 0);
  json_decref(rows);

  rows = call_json(caffesta_sales_by_pos_grouped(client, NULL, NULL, "2022-04-20", "terminal_id", &out), &out);
  CHECK(log_contains("export_sales_totals?shift_day=2022-04-20&add_gr_by=terminal_id"));
  CHECK(json_array_size(rows) >= 1);
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) { /* one row per terminal */
    size_t j;
    json_t *other;
    json_array_foreach(rows, j, other) {
      if (j > i) CHECK(!json_equal(json_object_get(row, "caf_terminal_id"), json_object_get(other, "caf_terminal_id")));
    }
  }
  json_decref(rows);
  rows = call_json(caffesta_sales_by_product_grouped(client, "2022-04-20", "2022-04-21", NULL, "terminal_id", &out), &out);
  CHECK(log_contains("export_sales?start=2022-04-20&end=2022-04-21&add_gr_by=terminal_id"));
  CHECK(json_is_array(rows));
  json_decref(rows);
  rows = call_json(caffesta_sales_by_product_grouped(client, NULL, NULL, "2022-04-20", NULL, &out), &out);
  CHECK(json_array_size(rows) == 1);
  json_decref(rows);
  CHECK_STATUS(caffesta_sales_by_pos_grouped(client, NULL, NULL, "2022-04-20", "terminal_id&x=1", &out),
               CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_sales_by_pos_grouped(client, NULL, NULL, "2022-04-20", "", &out), CAFFESTA_ERR_INVALID_ARGUMENT);

  /* The final receipts shape passes through: lines with ids, parent_id, weight, fractional count. */
  char *sample = sample_text("receipts_by_shift_day.response.json");
  answer_once("/a/v1.0/draft/receipts_by_shift_day/", sample);
  json_t *expected = parsed(sample);
  rows = call_json(caffesta_receipts_by_shift_day(client, 2, "2022-04-20", &out), &out);
  CHECK(json_equal(rows, expected));
  json_decref(rows);
  json_decref(expected);
  free(sample);
  rows = call_json(caffesta_receipts_by_shift_day(client, 2, "2022-04-20", &out), &out); /* the emulator's own */
  json_t *receipt = json_array_get(rows, 0);
  CHECK(json_object_get(receipt, "terminal_number") != NULL);
  CHECK(json_object_get(receipt, "client") == NULL);
  json_t *line = json_array_get(json_object_get(receipt, "bill_dishes"), 0);
  CHECK(json_object_get(line, "id") != NULL && json_object_get(line, "count") != NULL);
  CHECK(json_object_get(json_object_get(line, "dish"), "ref_code") != NULL);
  json_decref(rows);
}

/* 7. Menu import prices: value is the cost, value_day the retail price. */
static void test_menu_import_prices(void) {
  emulator_reset();
  const char *menu =
      "{\"update_balances\": false, \"categories\": [], \"menus\": [], \"taxes\": [], \"shops\": [],"
      " \"items\": [{\"id\": \"price-check\", \"deleted\": false, \"name\": \"Проверка цен\", \"for_sale\": true,"
      " \"measure\": \"pcs\", \"use_discounts\": true, \"prices\": [{\"shop_id\": 2, \"value\": 1.25, \"value_day\": 3.5}],"
      " \"tax_id\": 1, \"menus\": []}]}";
  char *out = NULL;
  CHECK_STATUS(caffesta_menu_import_part(client, menu, &out), CAFFESTA_OK);
  caffesta_string_free(out);
  out = NULL;
  json_t *products = call_json(caffesta_products_all(client, 2, 0, &out), &out);
  long long id = 0;
  size_t i;
  json_t *product;
  json_array_foreach(products, i, product) {
    if (strcmp(text_of(product, "alternateName"), "price-check") == 0) { /* the feed's name for the ref_code */
      id = json_integer_value(json_object_get(product, "id"));
      CHECK(json_number_value(json_object_get(product, "price")) == 3.5); /* the shop's retail price */
    }
  }
  json_decref(products);
  CHECK(id > 0);
  json_t *shop_data = call_json(caffesta_product_shop_data_get(client, 2, 0, &out), &out);
  int seen = 0;
  json_array_foreach(shop_data, i, product) {
    if (json_integer_value(json_object_get(product, "product_id")) != id) continue;
    seen = 1;
    CHECK(strcmp(text_of(product, "price"), "3.50") == 0);                  /* value_day: retail */
    CHECK(strcmp(text_of(product, "avgInvoicedSelfCost"), "1.250000") == 0); /* value: cost */
  }
  CHECK(seen);
  json_decref(shop_data);
}

/* 8. The library follows the pages the server gives, whatever their size. */
static void products_in_pages(size_t page_size, size_t products) {
  emulator_reset();
  char config[64];
  snprintf(config, sizeof config, "{\"page_size\": %zu}", page_size);
  free(emulator_admin("POST", "/__emulator/config", config));
  size_t size = 200 + products * 160;
  char *menu = malloc(size);
  size_t used = (size_t)snprintf(menu, size, "{\"update_balances\": false, \"categories\": [], \"menus\": [],"
                                 " \"taxes\": [], \"shops\": [], \"items\": [");
  for (size_t i = 0; i < products; i++) {
    used += (size_t)snprintf(menu + used, size - used,
                             "%s{\"id\": \"page-%zu\", \"deleted\": false, \"name\": \"Товар %zu\", \"measure\": \"pcs\","
                             " \"for_sale\": true, \"tax_id\": 1, \"menus\": []}", i ? "," : "", i, i);
  }
  snprintf(menu + used, size - used, "]}");
  char *out = NULL;
  CHECK_STATUS(caffesta_menu_import_part(client, menu, &out), CAFFESTA_OK);
  caffesta_string_free(out);
  free(menu);

  long long start = 0;
  size_t pages = 0, seen = 0, largest = 0;
  for (;;) {
    out = NULL;
    json_t *page = call_json(caffesta_products_page(client, 2, start, 0, &out), &out);
    if (!page) break;
    size_t count = json_array_size(json_object_get(page, "items"));
    seen += count;
    if (count > largest) largest = count;
    if (count) pages++;
    json_t *next = json_object_get(page, "next_start_id");
    int more = json_is_integer(next);
    if (more) start = json_integer_value(next);
    json_decref(page);
    if (!more || pages > 100) break;
  }
  out = NULL;
  json_t *all = call_json(caffesta_products_all(client, 2, 0, &out), &out);
  CHECK(json_array_size(all) == seen);
  CHECK(seen >= products);
  CHECK(largest == page_size);
  CHECK(pages == (seen + page_size - 1) / page_size);
  json_decref(all);
}

static void test_product_pages_of_any_size(void) {
  products_in_pages(100, 250);
  products_in_pages(1000, 1100);
  free(emulator_admin("POST", "/__emulator/reset", "{}"));
}

int main(void) {
  client = caffesta_client_new("demo", emulator_key());
  caffesta_client_set_base_url(client, emulator_url());
  static const test_case tests[] = {
    {"storage_ids_from_labels", test_storage_ids_from_labels},
    {"invoice_status_and_shapes", test_invoice_status_and_shapes},
    {"order_answer_forms", test_order_answer_forms},
    {"server_error_texts", test_server_error_texts},
    {"sales_shapes", test_sales_shapes},
    {"menu_import_prices", test_menu_import_prices},
    {"product_pages_of_any_size", test_product_pages_of_any_size},
  };
  int rc = run_tests(tests, sizeof tests / sizeof *tests);
  caffesta_client_free(client);
  return rc;
}
