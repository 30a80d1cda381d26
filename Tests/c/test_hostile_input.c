/* Hostile input at the ABI: NULL, invalid UTF-8, 10 MB strings, bad ids and numbers, JSON of
 * the wrong type or depth, ref_codes that try to leave their path segment and CR/LF that try to
 * enter a header are refused with CAFFESTA_ERR_INVALID_ARGUMENT before any request (the
 * emulator's request log stays as it was), or sent safely encoded. */
#include "caffesta.h"
#include "harness.h"
#include <jansson.h>
#include <limits.h>

static char *filled(size_t size, char fill) {
  char *s = malloc(size + 1);
  memset(s, fill, size);
  s[size] = '\0';
  return s;
}

/* Every call taking a string, given `bad` for that string: INVALID_ARGUMENT, *out NULL. */
static void check_every_string_parameter_refuses(caffesta_client *c, const char *bad) {
  char *out;
  long long id;
#define REFUSED(call) do { out = (char *)1; CHECK_STATUS(call, CAFFESTA_ERR_INVALID_ARGUMENT); CHECK(out == NULL); } while (0)
#define REFUSED_ID(call) do { id = 7; CHECK_STATUS(call, CAFFESTA_ERR_INVALID_ARGUMENT); CHECK(id == 0); } while (0)
  CHECK(caffesta_client_new(bad, "key") == NULL);
  CHECK(caffesta_client_new("demo", bad) == NULL);
  CHECK_STATUS(caffesta_client_set_base_url(c, bad), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_ca_file(c, bad), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_order_path(c, bad), CAFFESTA_ERR_INVALID_ARGUMENT);
  REFUSED(caffesta_product_upsert(c, bad, &out));
  REFUSED(caffesta_request(c, bad, STORAGES_PATH, NULL, &out));
  REFUSED(caffesta_request(c, "GET", bad, NULL, &out));
  REFUSED(caffesta_request(c, "POST", "/a/v1.0/product/", bad, &out));
  REFUSED(caffesta_products_upsert_many(c, bad, 4, &out));
  REFUSED(caffesta_product_get(c, bad, &out));
  REFUSED(caffesta_product_update(c, 1, bad, &out));
  REFUSED(caffesta_product_update_by_ref_code(c, bad, "{\"name\":\"x\"}", &out));
  REFUSED(caffesta_product_update_by_ref_code(c, "1", bad, &out));
  REFUSED(caffesta_menu_import(c, bad, &out));
  REFUSED(caffesta_menu_import_part(c, bad, &out));
  REFUSED_ID(caffesta_invoice_create(c, bad, &id));
  REFUSED_ID(caffesta_move_create(c, bad, &id));
  REFUSED_ID(caffesta_order_create(c, bad, &id));
  REFUSED(caffesta_order_submit(c, bad, &out));
  REFUSED(caffesta_order_wait_submitted(c, bad, 1000, &out));
  REFUSED(caffesta_invoices_list(c, bad, &out));
  REFUSED(caffesta_receipt_info(c, bad, &out));
  REFUSED(caffesta_sync_changes(c, 1, bad, &out));
  REFUSED(caffesta_sales_by_product(c, bad, "2022-04-21", NULL, &out));
  REFUSED(caffesta_sales_by_product(c, "2022-04-20", bad, NULL, &out));
  REFUSED(caffesta_sales_by_product(c, NULL, NULL, bad, &out));
  REFUSED(caffesta_sales_by_pos(c, bad, "2022-04-21", NULL, &out));
  REFUSED(caffesta_sales_by_pos_grouped(c, NULL, NULL, "2022-04-20", bad, &out));
  REFUSED(caffesta_sales_by_product_grouped(c, NULL, NULL, "2022-04-20", bad, &out));
  REFUSED(caffesta_sales_by_pos(c, NULL, NULL, bad, &out));
  REFUSED(caffesta_receipts_by_shift_day(c, 2, bad, &out));
#undef REFUSED
#undef REFUSED_ID
}

static void test_huge_strings_are_refused_without_a_request(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  size_t before = log_length();
  const size_t ten_mb = 10u << 20;
  char *big = filled(ten_mb, 'a');
  check_every_string_parameter_refuses(c, big);
  /* 10 MB that is otherwise well formed: a path, a base URL, a product whose ref_code is huge. */
  big[0] = '/';
  check_every_string_parameter_refuses(c, big);
  char *url = filled(ten_mb, 'a');
  memcpy(url, "http://", 7);
  CHECK_STATUS(caffesta_client_set_base_url(c, url), CAFFESTA_ERR_INVALID_ARGUMENT);
  memcpy(url, "http://127.0.0.1:1/", 19);
  CHECK_STATUS(caffesta_client_set_base_url(c, url), CAFFESTA_ERR_INVALID_ARGUMENT);
  free(url);
  memcpy(big, "{\"ref_code\":\"", 13);
  strcpy(big + ten_mb - 2, "\"}");
  char *out = (char *)1;
  CHECK_STATUS(caffesta_product_upsert(c, big, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK(strlen(caffesta_last_error()) < 4096); /* the message does not echo 10 MB */
  CHECK(log_length() == before);               /* none of that reached the server */
  /* A 10 MB field in a valid product is the caller's business: sent, stored, read back whole. */
  memset(big, 'n', ten_mb);
  char *body = product_json("big-name", big);
  out = NULL;
  CHECK_STATUS(caffesta_product_upsert(c, body, &out), CAFFESTA_OK);
  caffesta_string_free(out);
  out = NULL;
  CHECK_STATUS(caffesta_product_get(c, "big-name", &out), CAFFESTA_OK);
  json_t *product = parsed(out);
  CHECK(strlen(text_of(product, "name")) == ten_mb);
  json_decref(product);
  caffesta_string_free(out);
  free(body);
  free(big);
  /* The client still works with its own base URL. */
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  caffesta_client_free(c);
}

static void test_invalid_utf8_is_refused_everywhere(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  size_t before = log_length();
  const char *bad[] = {"\xff\xfe", "a\xc3\x28", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\xe2\x82",
                       "2022-04-2\xff", "/a/v1.0/\xff", "{\"ref_code\":\"\xff\"}", "http://127.0.0.1/\xc3"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) check_every_string_parameter_refuses(c, bad[i]);
  CHECK(log_length() == before);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  caffesta_client_free(c);
}

static void test_bad_ids_are_refused_without_a_request(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  size_t before = log_length();
  /* Every positive 64-bit id is one Caffesta may hand out (test_an_id_handed_out_is_accepted_back). */
  const long long bad_ids[] = {-1, 0, LLONG_MIN};
  for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++) {
    long long bad = bad_ids[i];
    char *out;
#define REFUSED(call) do { out = (char *)1; CHECK_STATUS(call, CAFFESTA_ERR_INVALID_ARGUMENT); CHECK(out == NULL); } while (0)
    REFUSED(caffesta_storage_stock(c, bad, &out));
    REFUSED(caffesta_invoice_get(c, bad, &out));
    REFUSED(caffesta_product_update(c, bad, "{\"name\":\"x\"}", &out));
    REFUSED(caffesta_order_job_status(c, bad, &out));
    REFUSED(caffesta_order_wait(c, bad, 1000, &out));
    REFUSED(caffesta_updates_get(c, bad, &out));
    REFUSED(caffesta_products_page(c, bad, 0, 0, &out));
    REFUSED(caffesta_products_all(c, bad, 0, &out));
    REFUSED(caffesta_balances_get(c, bad, 0, &out));
    REFUSED(caffesta_product_shop_data_get(c, bad, 0, &out));
    REFUSED(caffesta_sync_changes(c, bad, "{}", &out));
    REFUSED(caffesta_receipts_by_shift_day(c, bad, "2022-04-20", &out));
    if (bad < 0) REFUSED(caffesta_products_page(c, 1, bad, 0, &out)); /* start_id 0 is valid */
    if (bad < 0 || bad > (1LL << 40)) {                                                     /* ts 0 is valid */
      REFUSED(caffesta_products_page(c, 1, 0, bad, &out));
      REFUSED(caffesta_clients_get(c, bad, &out));
      REFUSED(caffesta_balances_get(c, 1, bad, &out));
    }
#undef REFUSED
    CHECK_STATUS(caffesta_invoice_wire(c, bad), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_invoice_unwire(c, bad), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_move_wire(c, bad), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_move_unwire(c, bad), CAFFESTA_ERR_INVALID_ARGUMENT);
  }
  /* Numeric settings at and past their limits. */
  CHECK_STATUS(caffesta_client_set_timeouts(c, LONG_MAX, LONG_MAX), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_timeouts(c, LONG_MIN, 1000), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_retries(c, INT_MIN), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_retries(c, INT_MAX), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_response_size(c, LLONG_MIN), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_response_size(c, LLONG_MAX), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_response_size(c, (1LL << 32) + 1), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_response_size(c, 1023), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_response_size(c, 1LL << 32), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_max_response_size(c, 1024), CAFFESTA_OK);
  char *out = (char *)1;
  CHECK_STATUS(caffesta_products_upsert_many(c, "[]", INT_MAX, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_products_upsert_many(c, "[]", INT_MIN, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_order_wait(c, 1, LONG_MAX, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_order_wait(c, 1, 0, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_order_wait(c, 1, -5, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(log_length() == before);
  CHECK_STATUS(caffesta_client_set_max_response_size(c, 64LL << 20), CAFFESTA_OK);
  /* Valid ids that do not exist are asked for and not found. */
  CHECK_STATUS(caffesta_invoice_get(c, 1LL << 53, &out), CAFFESTA_ERR_NOT_FOUND);
  CHECK(caffesta_last_http_status() == 404);
  CHECK_STATUS(caffesta_invoice_get(c, LLONG_MAX, &out), CAFFESTA_ERR_NOT_FOUND);
  CHECK(log_length() == before + 2);
  caffesta_client_free(c);
}

static void test_json_of_the_wrong_type_is_refused(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  size_t before = log_length();
  const char *not_objects[] = {"[]", "[{}]", "1", "-0.5e3", "null", "true", "\"text\"", "", "{", "{}}", "{\"a\":1,}",
                               "{\"a\":1,\"a\":2}", "[1,{\"ref_code\":\"x\"}"};
  for (size_t i = 0; i < sizeof not_objects / sizeof *not_objects; i++) {
    const char *bad = not_objects[i];
    char *out = (char *)1;
    long long id = 7;
    CHECK_STATUS(caffesta_product_upsert(c, bad, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_product_update(c, 1, bad, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_product_update_by_ref_code(c, "1", bad, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_menu_import(c, bad, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_menu_import_part(c, bad, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_invoice_create(c, bad, &id), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_move_create(c, bad, &id), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_order_create(c, bad, &id), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_order_submit(c, bad, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_order_wait_submitted(c, bad, 1000, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_sync_changes(c, 1, bad, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL && id == 0);
  }
  /* Objects whose fields have the wrong type. */
  const char *products[] = {"{\"ref_code\":[\"a\"]}", "{\"ref_code\":{\"a\":1}}", "{\"ref_code\":null}",
                            "{\"ref_code\":1.5}", "{\"ref_code\":true}", "{\"name\":\"no ref_code\"}"};
  for (size_t i = 0; i < sizeof products / sizeof *products; i++) {
    char *out = (char *)1;
    CHECK_STATUS(caffesta_product_upsert(c, products[i], &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
  }
  const char *invoices[] = {
    "{\"number\":1,\"date\":\"2018-06-13 14:28\",\"storage\":{\"caf_id\":1},\"items\":[{\"amount\":1,\"product_code\":\"p\"}]}",
    "{\"number\":\"1\",\"date\":\"2018-06-13 14:28\",\"storage\":[1],\"items\":[{\"amount\":1,\"product_code\":\"p\"}]}",
    "{\"number\":\"1\",\"date\":\"2018-06-13 14:28\",\"storage\":{\"caf_id\":\"1\"},\"items\":[{\"amount\":1,\"product_code\":\"p\"}]}",
    "{\"number\":\"1\",\"date\":\"2018-06-13 14:28\",\"storage\":{\"caf_id\":1},\"items\":{\"amount\":1}}",
    "{\"number\":\"1\",\"date\":\"2018-06-13 14:28\",\"storage\":{\"caf_id\":1},\"items\":[[1]]}",
    "{\"number\":\"1\",\"date\":\"2018-06-13 14:28\",\"storage\":{\"caf_id\":1},\"items\":[{\"amount\":\"1\",\"product_code\":\"p\"}]}",
    "{\"number\":\"1\",\"date\":\"2018-06-13 14:28\",\"storage\":{\"caf_id\":1},\"items\":[{\"amount\":1,\"product_code\":5}]}",
    "{\"number\":\"1\",\"date\":\"2018-06-13 14:28\",\"storage\":{\"caf_id\":1},\"items\":[]}"};
  for (size_t i = 0; i < sizeof invoices / sizeof *invoices; i++) {
    long long id = 7;
    CHECK_STATUS(caffesta_invoice_create(c, invoices[i], &id), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK(id == 0);
  }
  const char *moves[] = {"{\"storage_from\":1,\"storage_to\":{\"caf_id\":2},\"items\":[{\"amount\":1,\"product_code\":\"1\"}]}",
                         "{\"storage_from\":{\"caf_id\":1},\"storage_to\":{\"caf_id\":2},\"items\":\"all\"}"};
  for (size_t i = 0; i < sizeof moves / sizeof *moves; i++) {
    long long id = 7;
    CHECK_STATUS(caffesta_move_create(c, moves[i], &id), CAFFESTA_ERR_INVALID_ARGUMENT);
  }
  const char *orders[] = {"{\"bill\":[]}", "{\"bill\":{\"app_id\":1,\"delivery_type\":0,\"total_sum\":\"ten\",\"items\":[]}}"};
  for (size_t i = 0; i < sizeof orders / sizeof *orders; i++) {
    long long id = 7;
    CHECK_STATUS(caffesta_order_create(c, orders[i], &id), CAFFESTA_ERR_INVALID_ARGUMENT);
  }
  const char *menus[] = {"{\"items\":{}}", "{\"items\":[{\"id\":[1]}]}", "{\"items\":[1]}"};
  for (size_t i = 0; i < sizeof menus / sizeof *menus; i++) {
    char *out = (char *)1;
    CHECK_STATUS(caffesta_menu_import(c, menus[i], &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(caffesta_menu_import_part(c, menus[i], &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  }
  const char *known[] = {"{\"products\":\"1\"}", "{\"products\":-1}", "{\"products\":1.5}", "{\"products\":null}"};
  for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
    char *out = (char *)1;
    CHECK_STATUS(caffesta_sync_changes(c, 1, known[i], &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  }
  /* 100 000 levels deep: refused, not a stack overflow. */
  const size_t depth = 100000;
  char *deep = malloc(2 * depth + 64);
  strcpy(deep, "{\"ref_code\":\"deep\",\"a\":");
  size_t at = strlen(deep);
  memset(deep + at, '[', depth);
  memset(deep + at + depth, ']', depth);
  strcpy(deep + at + 2 * depth, "}");
  char *out = (char *)1;
  long long deep_id = 7;
  CHECK_STATUS(caffesta_product_upsert(c, deep, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_menu_import_part(c, deep, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_invoice_create(c, deep, &deep_id), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_request(c, "POST", "/a/v1.0/product/", deep, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_products_upsert_many(c, deep + at, 4, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  free(deep);
  CHECK_STATUS(caffesta_products_upsert_many(c, "{}", 4, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_products_upsert_many(c, "\"[]\"", 4, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_request(c, "POST", "/a/v1.0/product/", "{\"a\":", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK(log_length() == before); /* none of that reached the server */
  /* Items of the wrong type in a bulk call fail alone, without a request; the report says so. */
  CHECK_STATUS(caffesta_products_upsert_many(c, "[1, [], null, {\"ref_code\":7}]", 4, &out), CAFFESTA_ERR_PARTIAL);
  json_t *report = parsed(out);
  CHECK(json_array_size(report) == 4);
  size_t i;
  json_t *entry;
  json_array_foreach(report, i, entry) CHECK(strcmp(text_of(entry, "status"), "CAFFESTA_ERR_INVALID_ARGUMENT") == 0);
  json_decref(report);
  caffesta_string_free(out);
  CHECK(log_length() == before);
  /* Valid JSON that is not an object through caffesta_request goes out as is; the API says no. */
  CHECK_STATUS(caffesta_request(c, "POST", "/a/v1.0/product/", "[1,2]", &out), CAFFESTA_ERR_API);
  caffesta_client_free(c);
}

static void test_ref_codes_cannot_change_the_path(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  const char *codes[] = {"../../storage/test", "%2e%2e/x", "a?b#c", "..", "./", "a/../../b", "%252F", "x\r\nX-Evil: 1",
                         "/a/v1.0/storage/test", "Кофе/латте", "a\\b"};
  const size_t n = sizeof codes / sizeof *codes;
  for (size_t i = 0; i < n; i++) {
    char *body = product_json(codes[i], "path test");
    char *out = NULL;
    CHECK_STATUS(caffesta_product_upsert(c, body, &out), CAFFESTA_OK);
    json_t *result = parsed(out);
    CHECK(strcmp(text_of(result, "action"), "created") == 0);
    CHECK(strcmp(text_of(result, "ref_code"), codes[i]) == 0);
    json_decref(result);
    caffesta_string_free(out);
    free(body);
    out = NULL;
    CHECK_STATUS(caffesta_product_get(c, codes[i], &out), CAFFESTA_OK);
    result = parsed(out);
    CHECK(strcmp(text_of(result, "ref_code"), codes[i]) == 0);
    json_decref(result);
    caffesta_string_free(out);
    out = NULL;
    CHECK_STATUS(caffesta_product_update_by_ref_code(c, codes[i], "{\"name\":\"renamed\"}", &out), CAFFESTA_OK);
    caffesta_string_free(out);
  }
  const char *by_ref = "/a/v1.0/product/by_ref_code/";
  json_t *log = request_log();
  CHECK(json_array_size(log) == 4 * n); /* PUT (404), POST, GET, PUT each */
  CHECK(count_requests(log, "POST", "/a/v1.0/product/") == n);
  CHECK(count_requests(log, NULL, by_ref) == 3 * n);
  size_t i;
  json_t *entry;
  json_array_foreach(log, i, entry) {
    const char *path = text_of(entry, "path");
    if (strcmp(path, "/a/v1.0/product/") == 0) continue;
    const char *segment = path + strlen(by_ref);
    if (strncmp(path, by_ref, strlen(by_ref)) != 0 || !*segment || strpbrk(segment, "/?#\\\r\n")) {
      harness_checks_failed++;
      fprintf(stderr, "  a request left its segment: %s %s\n", text_of(entry, "method"), path);
    }
    CHECK(json_object_get(json_object_get(entry, "headers"), "x-evil") == NULL);
  }
  CHECK(count_requests(log, NULL, "/a/v1.0/storage") == 0);
  json_decref(log);
  caffesta_client_free(c);
}

static void test_header_injection_is_refused(void) {
  emulator_reset();
  size_t before = log_length();
  const char *keys[] = {"key\r\nX-Evil: 1", "key\nX-Evil: 1", "key\rX", "key X", "key\tX", "ключ", "key\x7f", ""};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    caffesta_client *c = caffesta_client_new("demo", keys[i]);
    CHECK(c == NULL);
    CHECK(strstr(caffesta_last_error(), "api_key") != NULL);
    caffesta_client_free(c);
  }
  const char *accounts[] = {"demo\r\nX-Evil: 1", "demo.evil.com", "demo:80", "de mo"};
  for (size_t i = 0; i < sizeof accounts / sizeof *accounts; i++) CHECK(caffesta_client_new(accounts[i], "key") == NULL);
  caffesta_client *c = new_client();
  char *out = (char *)1;
  CHECK_STATUS(caffesta_request(c, "GET", "/a/v1.0/storage/test\r\nX-Evil: 1", NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_request(c, "GET\r\nX-Evil: 1", "/a/v1.0/storage/test", NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_base_url(c, "http://127.0.0.1\r\nX-Evil: 1"), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_order_path(c, "/a\r\nX-Evil: 1"), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(log_length() == before);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK); /* the refused settings left the client as it was */
  caffesta_client_free(c);
}

int main(void) {
  static const test_case tests[] = {
    {"huge_strings_are_refused_without_a_request", test_huge_strings_are_refused_without_a_request},
    {"invalid_utf8_is_refused_everywhere", test_invalid_utf8_is_refused_everywhere},
    {"bad_ids_are_refused_without_a_request", test_bad_ids_are_refused_without_a_request},
    {"json_of_the_wrong_type_is_refused", test_json_of_the_wrong_type_is_refused},
    {"ref_codes_cannot_change_the_path", test_ref_codes_cannot_change_the_path},
    {"header_injection_is_refused", test_header_injection_is_refused},
  };
  return run_tests(tests, sizeof tests / sizeof *tests);
}
