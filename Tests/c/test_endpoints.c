/* Every named endpoint call of include/caffesta.h against the emulator, fed with the docs' own
 * request samples (Tests/samples) where the docs have one. */
#include "caffesta.h"
#include "harness.h"

static caffesta_client *client;

static void test_storages(void) {
  char *out = NULL;
  json_t *list = call_json(caffesta_storages_list(client, &out), &out);
  CHECK(json_is_array(list) && json_array_size(list) >= 2);
  json_t *first = json_array_get(list, 0);
  CHECK(json_integer_value(json_object_get(first, "id")) == 1);
  CHECK(strcmp(text_of(first, "name"), "Склад кафе Буран") == 0);
  CHECK(strstr(text_of(first, "label"), "Склад кафе Буран") != NULL);
  json_decref(list);

  out = NULL;
  json_t *stock = call_json(caffesta_storage_stock(client, 1, &out), &out);
  CHECK(json_is_array(stock) && json_array_size(stock) >= 1);
  CHECK(json_is_string(json_object_get(json_array_get(stock, 0), "balance"))); /* numbers as strings */
  json_decref(stock);
  CHECK_STATUS(caffesta_storage_stock(client, 0, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_storage_stock(client, -4, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_storage_stock(client, 99999, &out), CAFFESTA_ERR_NOT_FOUND);
}

static double stock_of(long long storage_id, const char *name) {
  char *out = NULL;
  double balance = 0;
  if (caffesta_storage_stock(client, storage_id, &out) != CAFFESTA_OK) return -1e9;
  json_t *rows = parsed(out);
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    if (strcmp(text_of(row, "name"), name) == 0) balance = atof(text_of(row, "balance"));
  }
  json_decref(rows);
  caffesta_string_free(out);
  return balance;
}

static void test_invoice_life(void) {
  emulator_reset();
  char *sample = sample_text("invoice_create.request.json");
  long long id = -1;
  CHECK_STATUS(caffesta_invoice_create(client, sample, &id), CAFFESTA_OK);
  CHECK(id > 0);
  long long second = 0;
  CHECK_STATUS(caffesta_invoice_create(client, sample, &second), CAFFESTA_OK); /* every POST a new one */
  CHECK(second > id);
  free(sample);

  char *out = NULL;
  json_t *invoice = call_json(caffesta_invoice_get(client, id, &out), &out);
  CHECK(strcmp(text_of(invoice, "status"), "not_wired") == 0);
  json_decref(invoice);

  double before = stock_of(1, "1000"); /* the sample's product "prod1" is named "1000" */
  CHECK_STATUS(caffesta_invoice_wire(client, id), CAFFESTA_OK);
  out = NULL;
  invoice = call_json(caffesta_invoice_get(client, id, &out), &out);
  CHECK(strcmp(text_of(invoice, "status"), "wired") == 0);
  json_decref(invoice);
  CHECK(stock_of(1, "1000") - before == 25);
  CHECK_STATUS(caffesta_invoice_unwire(client, id), CAFFESTA_OK);
  CHECK(stock_of(1, "1000") == before);

  out = NULL;
  json_t *list = call_json(caffesta_invoices_list(client, "2018-06-01", &out), &out);
  CHECK(json_is_array(list) && json_array_size(list) == 2);
  json_decref(list);
  out = NULL;
  list = call_json(caffesta_invoices_list(client, "2030-01-01", &out), &out);
  CHECK(json_is_array(list) && json_array_size(list) == 0);
  json_decref(list);

  CHECK_STATUS(caffesta_invoices_list(client, "2018-6-1", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_invoices_list(client, "2018-02-30", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_invoices_list(client, NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_invoice_get(client, 0, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_invoice_wire(client, -1), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_invoice_wire(client, 987654), CAFFESTA_ERR_NOT_FOUND);
  long long none = 5;
  CHECK_STATUS(caffesta_invoice_create(client, "{\"number\":\"1\",\"date\":\"2018-06-13 14:28\",\"items\":[]}", &none),
               CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(none == 0);
  CHECK(strstr(caffesta_last_error(), "storage") != NULL);
  CHECK_STATUS(caffesta_invoice_create(client, "[]", &none), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_invoice_create(client, "{}", NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  /* The server's own validation comes back as an API error: an unknown storage. */
  CHECK_STATUS(caffesta_invoice_create(client, "{\"number\":\"1\",\"date\":\"2018-06-13 14:28\",\"storage\":{\"caf_id\":777},"
               "\"items\":[{\"amount\":1,\"product_code\":\"1\",\"package_code\":\"pcs\",\"price\":1,\"caf_tax_id\":1,"
               "\"price_with_tax\":1,\"cost\":1,\"cost_with_tax\":1}]}", &none), CAFFESTA_ERR_API);
  CHECK(emulator_stat("invoices") == 2);
}

static void test_move_life(void) {
  emulator_reset();
  char *sample = sample_text("move_create.request.json");
  long long id = 0;
  /* The docs' sample has an empty key where "amount" belongs: a clear error, nothing sent. */
  CHECK_STATUS(caffesta_move_create(client, sample, &id), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(strstr(caffesta_last_error(), "items[1].amount") != NULL);
  CHECK(emulator_stat("moves") == 0);
  json_t *move = parsed(sample);
  json_t *item = json_array_get(json_object_get(move, "items"), 1);
  json_object_set_new(item, "amount", json_object_get(item, "") ? json_incref(json_object_get(item, "")) : json_integer(45));
  json_object_del(item, "");
  char *fixed = json_dumps(move, JSON_COMPACT);
  double from_before = stock_of(1, "Клюквенный морс");
  CHECK_STATUS(caffesta_move_create(client, fixed, &id), CAFFESTA_OK);
  CHECK(id > 0);
  CHECK_STATUS(caffesta_move_wire(client, id), CAFFESTA_OK);
  CHECK(stock_of(1, "Клюквенный морс") == from_before - 25);
  CHECK(stock_of(7, "Клюквенный морс") == 25);
  CHECK_STATUS(caffesta_move_unwire(client, id), CAFFESTA_OK);
  CHECK(stock_of(1, "Клюквенный морс") == from_before);
  CHECK_STATUS(caffesta_move_wire(client, 0), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_move_unwire(client, 424242), CAFFESTA_ERR_NOT_FOUND);
  CHECK_STATUS(caffesta_move_create(client, "{\"storage_from\":{\"caf_id\":1},\"storage_to\":{\"caf_id\":7},"
               "\"items\":[{\"amount\":-2,\"product_code\":\"1\"}]}", &id), CAFFESTA_ERR_INVALID_ARGUMENT);
  free(fixed);
  free(sample);
  json_decref(move);
}

static void test_products(void) {
  emulator_reset();
  char *out = NULL;
  json_t *product = call_json(caffesta_product_get(client, "23452432", &out), &out);
  CHECK(strcmp(text_of(product, "name"), "Печенье домашнее") == 0);
  CHECK(json_integer_value(json_object_get(product, "id")) == 200);
  json_decref(product);
  CHECK_STATUS(caffesta_product_get(client, "no-such-product", &out), CAFFESTA_ERR_NOT_FOUND);
  CHECK_STATUS(caffesta_product_get(client, "", &out), CAFFESTA_ERR_INVALID_ARGUMENT);

  char *by_id = sample_text("product_update_by_id.request.json");
  out = NULL;
  json_decref(call_json(caffesta_product_update(client, 4, by_id, &out), &out));
  CHECK_STATUS(caffesta_product_update(client, 777777, by_id, &out), CAFFESTA_ERR_NOT_FOUND);
  CHECK_STATUS(caffesta_product_update(client, 0, by_id, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_product_update(client, 4, "[1]", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  free(by_id);

  char *by_ref = sample_text("product_update_by_ref_code.request.json");
  out = NULL;
  json_decref(call_json(caffesta_product_update_by_ref_code(client, "12345", by_ref, &out), &out));
  CHECK_STATUS(caffesta_product_update_by_ref_code(client, "nope/../x", by_ref, &out), CAFFESTA_ERR_NOT_FOUND);
  free(by_ref);
  out = NULL;
  product = call_json(caffesta_product_get(client, "12345", &out), &out);
  char *sample_body = sample_text("product_update_by_ref_code.request.json");
  json_t *sample = parsed(sample_body);
  CHECK(strcmp(text_of(product, "name"), text_of(sample, "name")) == 0);
  json_decref(sample);
  free(sample_body);
  json_decref(product);
}

static long count_products(void) {
  char *out = NULL;
  json_t *all = call_json(caffesta_products_all(client, 2, 0, &out), &out);
  long n = json_is_array(all) ? (long)json_array_size(all) : -1;
  json_decref(all);
  return n;
}

static void test_menu_import(void) {
  emulator_reset();
  long before = count_products();
  char *menu = sample_text("menu_import.request.json");
  json_t *doc = parsed(menu);
  long listed = (long)json_array_size(json_object_get(doc, "items"));
  char *out = NULL;
  json_decref(call_json(caffesta_menu_import_part(client, menu, &out), &out));
  long after_part = count_products();
  CHECK(after_part >= before); /* a partial import removes nothing */
  out = NULL;
  json_decref(call_json(caffesta_menu_import(client, menu, &out), &out));
  CHECK(count_products() <= listed); /* the whole import removed what it did not list */
  CHECK(count_products() < after_part);
  CHECK_STATUS(caffesta_menu_import(client, "{\"items\": 5}", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_menu_import_part(client, "{\"items\": [{\"name\": \"no id\"}]}", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  json_decref(doc);
  free(menu);
}

/* The job form of orders (the v1.0 path); the v1.1 form is in test_field_shapes. */
static void test_order_life(void) {
  emulator_reset();
  CHECK_STATUS(caffesta_client_set_order_path(client, "/a/v1.0/draft/receipts"), CAFFESTA_OK);
  char *order = sample_text("order_create.request.json");
  long long job = 0;
  CHECK_STATUS(caffesta_order_create(client, order, &job), CAFFESTA_OK);
  CHECK(job > 0);
  char *out = NULL;
  json_t *status = call_json(caffesta_order_job_status(client, job, &out), &out);
  CHECK(strcmp(text_of(status, "status"), "pending") == 0);
  json_decref(status);
  out = NULL;
  json_t *done = call_json(caffesta_order_wait(client, job, 10000, &out), &out);
  CHECK(strcmp(text_of(done, "status"), "success") == 0);
  const char *uuid = text_of(done, "message");
  CHECK(strlen(uuid) == 36);
  out = NULL;
  json_t *receipts = call_json(caffesta_receipt_info(client, uuid, &out), &out);
  CHECK(json_is_array(receipts) && json_array_size(receipts) >= 1);
  json_decref(receipts);
  json_decref(done);

  /* An order the server refuses: the job fails, and the wait says why. */
  json_t *bad = parsed(order);
  json_object_set_new(json_array_get(json_object_get(json_object_get(bad, "bill"), "items"), 0), "product_id",
                      json_integer(999999));
  char *bad_text = json_dumps(bad, JSON_COMPACT);
  CHECK_STATUS(caffesta_order_create(client, bad_text, &job), CAFFESTA_OK);
  CHECK_STATUS(caffesta_order_wait(client, job, 10000, &out), CAFFESTA_ERR_API);
  CHECK(out == NULL);
  CHECK(strstr(caffesta_last_error(), "failed") != NULL);

  /* A job still pending at the deadline (the emulator keeps it pending for 1000 polls). */
  free(emulator_admin("POST", "/__emulator/config", "{\"job_pending_polls\": 1000}"));
  CHECK_STATUS(caffesta_order_create(client, order, &job), CAFFESTA_OK);
  CHECK_STATUS(caffesta_order_wait(client, job, 300, &out), CAFFESTA_ERR_TIMEOUT);
  CHECK(strstr(caffesta_last_error(), "still pending") != NULL);
  free(emulator_admin("POST", "/__emulator/config", "{\"job_pending_polls\": 1}"));

  /* Negative counts or sums never leave the machine. */
  json_object_set_new(json_array_get(json_object_get(json_object_get(bad, "bill"), "items"), 0), "count", json_real(-1));
  free(bad_text);
  bad_text = json_dumps(bad, JSON_COMPACT);
  CHECK_STATUS(caffesta_order_create(client, bad_text, &job), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(strstr(caffesta_last_error(), "bill.items[0].count") != NULL);
  CHECK_STATUS(caffesta_order_create(client, "{\"bill\": {}}", &job), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_order_wait(client, job, 0, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_order_job_status(client, -3, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_receipt_info(client, "", &out), CAFFESTA_ERR_INVALID_ARGUMENT);

  /* The order path can follow Caffesta if it says otherwise. */
  CHECK_STATUS(caffesta_client_set_order_path(client, "/a/v1.0/draft/other_orders"), CAFFESTA_OK);
  CHECK_STATUS(caffesta_order_create(client, order, &job), CAFFESTA_ERR_NOT_FOUND);
  CHECK_STATUS(caffesta_client_set_order_path(client, "http://evil/"), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_order_path(client, "/a/v1.1/draft/receipts"), CAFFESTA_OK);
  json_decref(bad);
  free(bad_text);
  free(order);
}

static void test_feeds_and_pagination(void) {
  emulator_reset();
  char *out = NULL;
  json_t *updates = call_json(caffesta_updates_get(client, 2, &out), &out);
  CHECK(json_is_integer(json_object_get(updates, "products")));
  json_int_t products_ts = json_integer_value(json_object_get(updates, "products"));
  json_decref(updates);

  /* 250 more products: three pages of 100 (the emulator's page size, set for this test). */
  free(emulator_admin("POST", "/__emulator/config", "{\"page_size\": 100}"));
  for (int i = 0; i < 250; i++) {
    char body[256];
    snprintf(body, sizeof body, "{\"ref_code\":\"page-%03d\",\"name\":\"Товар %d\",\"measure\":\"pcs\",\"type\":\"product\","
             "\"cancellation_type\":0,\"for_sale\":true,\"use_discounts\":true,\"caf_tax_id\":1,"
             "\"category_ref_code\":\"c\",\"workspace_ref_code\":\"w\",\"prices\":[]}", i, i);
    char *result = NULL;
    CHECK_STATUS(caffesta_product_upsert(client, body, &result), CAFFESTA_OK);
    caffesta_string_free(result);
  }
  long total = count_products();
  CHECK(total >= 257);
  long long start = 0;
  long paged = 0, pages = 0;
  for (;;) {
    out = NULL;
    json_t *page = call_json(caffesta_products_page(client, 2, start, 0, &out), &out);
    if (!page) break;
    paged += (long)json_array_size(json_object_get(page, "items"));
    json_t *next = json_object_get(page, "next_start_id");
    pages++;
    if (json_is_null(next)) { json_decref(page); break; }
    CHECK(json_integer_value(next) > start);
    start = json_integer_value(next);
    json_decref(page);
    if (pages > 10) break;
  }
  CHECK(paged == total);
  CHECK(pages == 4); /* three full or partial pages, then the empty one */

  /* Deleted products come only when ts != 0. */
  free(emulator_admin("POST", "/__emulator/products/page-007/delete", "{}"));
  CHECK(count_products() == total - 1);
  out = NULL;
  json_t *changed = call_json(caffesta_products_all(client, 2, products_ts, &out), &out);
  int saw_deleted = 0;
  size_t i;
  json_t *p;
  json_array_foreach(changed, i, p) {
    if (json_is_true(json_object_get(p, "deleted"))) saw_deleted++;
  }
  CHECK(saw_deleted == 1);
  json_decref(changed);

  const char *lists[] = {"balances", "clients", "categories", "workspaces", "taxes", "modifier_groups", "shop_data"};
  for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
    out = NULL;
    caffesta_status s;
    switch (k) {
      case 0: s = caffesta_balances_get(client, 2, 0, &out); break;
      case 1: s = caffesta_clients_get(client, 0, &out); break;
      case 2: s = caffesta_categories_get(client, &out); break;
      case 3: s = caffesta_workspaces_get(client, &out); break;
      case 4: s = caffesta_taxes_get(client, &out); break;
      case 5: s = caffesta_modifier_groups_get(client, &out); break;
      default: s = caffesta_product_shop_data_get(client, 2, 0, &out); break;
    }
    json_t *list = call_json(s, &out);
    if (!json_is_array(list) || json_array_size(list) == 0) {
      harness_checks_failed++;
      fprintf(stderr, "  feed %s is not a non-empty array\n", lists[k]);
    }
    json_decref(list);
  }
  CHECK_STATUS(caffesta_updates_get(client, 0, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_products_page(client, 2, -1, 0, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_products_all(client, 2, -5, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_balances_get(client, -2, 0, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_clients_get(client, -1, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_categories_get(client, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
}

static json_t *sync_once(json_t *known) {
  char *known_text = json_dumps(known, JSON_COMPACT);
  char *out = NULL;
  json_t *result = call_json(caffesta_sync_changes(client, 2, known_text, &out), &out);
  free(known_text);
  return result;
}

static int changed_has(json_t *result, const char *section) {
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(result, "changed"), i, s) {
    if (strcmp(json_string_value(s), section) == 0) return 1;
  }
  return 0;
}

static void test_incremental_sync(void) {
  emulator_reset();
  json_t *empty = json_object();
  json_t *first = sync_once(empty);
  CHECK(changed_has(first, "products") && changed_has(first, "balances") && changed_has(first, "clients"));
  CHECK(json_array_size(json_object_get(json_object_get(first, "data"), "products")) >= 7);
  json_t *known = json_incref(json_object_get(first, "timestamps"));

  json_t *second = sync_once(known);
  CHECK(json_array_size(json_object_get(second, "changed")) == 0);
  CHECK(json_object_size(json_object_get(second, "data")) == 0);

  char *result = NULL;
  CHECK_STATUS(caffesta_product_upsert(client, "{\"ref_code\":\"sync-new\",\"name\":\"Новинка\",\"measure\":\"pcs\","
               "\"type\":\"product\",\"cancellation_type\":0,\"for_sale\":true,\"use_discounts\":true,\"caf_tax_id\":1,"
               "\"category_ref_code\":\"c\",\"workspace_ref_code\":\"w\",\"prices\":[]}", &result), CAFFESTA_OK);
  caffesta_string_free(result);
  json_t *third = sync_once(known);
  CHECK(changed_has(third, "products"));
  CHECK(!changed_has(third, "clients"));
  json_t *products = json_object_get(json_object_get(third, "data"), "products");
  int found = 0;
  size_t i;
  json_t *p;
  json_array_foreach(products, i, p) { if (strcmp(text_of(p, "name"), "Новинка") == 0) found = 1; }
  CHECK(found);
  /* Only the feeds of changed sections were fetched. */
  CHECK(json_object_get(json_object_get(third, "data"), "clients") == NULL);
  CHECK(json_object_get(json_object_get(third, "data"), "balances") == NULL);

  char *out = NULL;
  CHECK_STATUS(caffesta_sync_changes(client, 2, "{\"products\": -1}", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_sync_changes(client, 2, "[]", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_sync_changes(client, 2, NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  json_decref(empty);
  json_decref(first);
  json_decref(second);
  json_decref(third);
  json_decref(known);
}

static void test_sales(void) {
  emulator_reset();
  char *out = NULL;
  json_t *rows = call_json(caffesta_sales_by_product(client, NULL, NULL, "2022-04-20", &out), &out);
  CHECK(json_is_array(rows) && json_array_size(rows) == 1);
  CHECK(json_is_string(json_object_get(json_array_get(rows, 0), "total_pay")));
  json_decref(rows);
  out = NULL;
  rows = call_json(caffesta_sales_by_product(client, "2022-04-20T00:00+03:00", "2022-04-21", NULL, &out), &out);
  CHECK(json_is_array(rows) && json_array_size(rows) == 1);
  json_decref(rows);
  out = NULL;
  rows = call_json(caffesta_sales_by_pos(client, "2022-04-20", "2022-04-20T23:59", NULL, &out), &out);
  CHECK(json_is_array(rows) && json_array_size(rows) == 1);
  json_decref(rows);
  out = NULL;
  rows = call_json(caffesta_sales_by_pos(client, NULL, NULL, "2022-04-21", &out), &out);
  CHECK(json_is_array(rows) && json_array_size(rows) == 0);
  json_decref(rows);
  out = NULL;
  rows = call_json(caffesta_receipts_by_shift_day(client, 2, "2022-04-20", &out), &out);
  CHECK(json_is_array(rows) && json_array_size(rows) == 1);
  json_decref(rows);

  CHECK_STATUS(caffesta_sales_by_product(client, "2022-04-20", NULL, NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_sales_by_product(client, "2022-04-20", "2022-04-21", "2022-04-20", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_sales_by_product(client, NULL, NULL, NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_sales_by_pos(client, "20.04.2022", "2022-04-21", NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_sales_by_pos(client, "2022-04-20T25:00", "2022-04-21", NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_sales_by_pos(client, "2022-04-20&x=1", "2022-04-21", NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_receipts_by_shift_day(client, 0, "2022-04-20", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_receipts_by_shift_day(client, 2, "2022-04-20/../x", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  /* The zone's '+' reached the server encoded, not as a space. */
  char *log = emulator_admin("GET", "/__emulator/requests", NULL);
  CHECK(log && strstr(log, "start=2022-04-20T00%3A00%2B03%3A00") != NULL);
  free(log);
}

int main(void) {
  client = caffesta_client_new("demo", emulator_key());
  caffesta_client_set_base_url(client, emulator_url());
  static const test_case tests[] = {
    {"storages", test_storages},
    {"invoice_life", test_invoice_life},
    {"move_life", test_move_life},
    {"products", test_products},
    {"menu_import", test_menu_import},
    {"order_life", test_order_life},
    {"feeds_and_pagination", test_feeds_and_pagination},
    {"incremental_sync", test_incremental_sync},
    {"sales", test_sales},
  };
  int rc = run_tests(tests, sizeof tests / sizeof *tests);
  caffesta_client_free(client);
  return rc;
}
