/* JSON as written (issue 11): bodies reach the server byte for byte as the caller wrote them,
 * answers come back byte for byte as the server wrote them, duplicate keys are refused in every
 * body, and a GET or DELETE takes no body. The emulator's request log shows what was sent; its
 * `body` fault makes it answer a given text (and leaves its state alone). */
#include "harness.h"
#include <caffesta.h>
#include <stdint.h>

static caffesta_client *client;

/* Numbers a double would change, numbers beyond 64 bits, exponents, Cyrillic, an escape and raw é,
 * odd spacing and key order: all must arrive exactly so. */
#define TRICKY "\"price\": 7.6, \"cost\":0.1,\"x\" :[0.6, 19.99,123456789.12,1e-7,-0.0,12345678901234567890, 1E+2],\n" \
               " \"name\":\"Кофе \\u00e9 é\", \"z\":{\"b\":1,\"a\":2}"

static const char *ok_answer = "{\"success\":true,\"data\":{\"id\":5,\"job_id\":9,\"status\":\"pending\"}}";

/* The next API request (any path) answers `answer` (JSON text) with HTTP 200, unapplied. */
static void answer_next(const char *answer, int count) {
  json_t *fault = json_pack("{s:s, s:s, s:i}", "kind", "body", "body", answer, "count", count);
  char *text = json_dumps(fault, JSON_COMPACT);
  emulator_fault(text);
  free(text);
  json_decref(fault);
}

/* The body of the last logged request equals `expected` byte for byte. */
static int last_body_is(const char *expected) {
  json_t *log = request_log();
  json_t *last = json_array_get(log, json_array_size(log) - 1);
  const char *body = json_string_value(json_object_get(last, "body"));
  int same = body != NULL && strcmp(body, expected) == 0;
  if (!same) fprintf(stderr, "  sent:     %s\n  expected: %s\n", body ? body : "(none)", expected);
  json_decref(log);
  return same;
}

static void test_named_writes_send_the_body_as_written(void) {
  emulator_reset();
  char *out = NULL;
  long long id = 0;
  const char *product = "{ \"ref_code\": \"json-1\", " TRICKY " }";
  answer_next(ok_answer, 1);
  CHECK_STATUS(caffesta_product_upsert(client, product, &out), CAFFESTA_OK);
  CHECK(last_body_is(product));
  caffesta_string_free(out);

  answer_next(ok_answer, 1);
  CHECK_STATUS(caffesta_product_update(client, 5, product, &out), CAFFESTA_OK);
  CHECK(last_body_is(product));
  caffesta_string_free(out);

  answer_next(ok_answer, 1);
  CHECK_STATUS(caffesta_product_update_by_ref_code(client, "json-1", product, &out), CAFFESTA_OK);
  CHECK(last_body_is(product));
  caffesta_string_free(out);

  const char *menu = "{\"items\":[{\"id\":\"json-1\", " TRICKY "}], \"big\": 12345678901234567890}";
  answer_next(ok_answer, 2);
  CHECK_STATUS(caffesta_menu_import(client, menu, &out), CAFFESTA_OK);
  CHECK(last_body_is(menu));
  caffesta_string_free(out);
  CHECK_STATUS(caffesta_menu_import_part(client, menu, &out), CAFFESTA_OK);
  CHECK(last_body_is(menu));
  caffesta_string_free(out);

  const char *invoice = "{\"number\":\"Н-1\",\"date\":\"2024-01-02 10:00\",\"storage\":{\"caf_id\":1},"
                        "\"items\":[{\"amount\":7.6,\"product_code\":\"json-1\"," TRICKY "}]}";
  answer_next(ok_answer, 1);
  CHECK_STATUS(caffesta_invoice_create(client, invoice, &id), CAFFESTA_OK);
  CHECK(id == 5 && last_body_is(invoice));

  const char *move = "{\"storage_from\":{\"caf_id\":1},\"storage_to\":{\"caf_id\":2},"
                     "\"items\":[{\"amount\":0.6,\"product_code\":\"json-1\"," TRICKY "}]}";
  answer_next(ok_answer, 1);
  CHECK_STATUS(caffesta_move_create(client, move, &id), CAFFESTA_OK);
  CHECK(id == 5 && last_body_is(move));

  const char *order = "{\"bill\":{\"total_sum\":19.99,\"payments\":[{\"payment_id\":1,\"value\":19.99}],"
                      "\"items\":[{\"count\":1e-7,\"total_sum\":123456789.12,\"discount_sum\":-0.0,\"product_id\":12345678901234567890,"
                      TRICKY "}]}}";
  answer_next(ok_answer, 1);
  CHECK_STATUS(caffesta_order_create(client, order, &id), CAFFESTA_OK);
  CHECK(id == 9 && last_body_is(order));
  answer_next(ok_answer, 1);
  CHECK_STATUS(caffesta_order_submit(client, order, &out), CAFFESTA_OK);
  CHECK(last_body_is(order));
  caffesta_string_free(out);

  /* wire/unwire: the library writes that body itself */
  answer_next(ok_answer, 1);
  CHECK_STATUS(caffesta_invoice_wire(client, 5), CAFFESTA_OK);
  CHECK(last_body_is("{\"action\":\"wire\"}"));
}

static void test_bulk_sends_each_item_as_written(void) {
  emulator_reset();
  const char *a = "{\"ref_code\":\"json-a\", " TRICKY "}";
  const char *b = "{ \"name\" : \"b\\u00e9\", \"ref_code\" : \"json-\\u0062\", \"price\": 0.6 }";
  char array[1024];
  snprintf(array, sizeof array, " [ %s ,\n\t%s ] ", a, b);
  answer_next("{\"success\":true,\"data\":{\"id\":12345678901234567890}}", 2);
  char *report = NULL;
  CHECK_STATUS(caffesta_products_upsert_many(client, array, 1, &report), CAFFESTA_OK);
  json_t *log = request_log();
  size_t n = json_array_size(log);
  CHECK(n == 2);
  if (n == 2) {
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(log, 0), "body")), a) == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(log, 1), "body")), b) == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(log, 1), "path")), "/a/v1.0/product/by_ref_code/json-b") == 0);
  }
  json_decref(log);
  /* the report: ref_codes as the caller wrote them, ids as the server did */
  CHECK(report && strcmp(report, "[{\"ref_code\":\"json-a\",\"action\":\"updated\",\"id\":12345678901234567890},"
                                 "{\"ref_code\":\"json-\\u0062\",\"action\":\"updated\",\"id\":12345678901234567890}]") == 0);
  caffesta_string_free(report);
}

static void test_request_sends_and_returns_text_as_written(void) {
  emulator_reset();
  const char *bodies[] = {"{" TRICKY "}", "[7.6, 0.1]", "12345678901234567890", "\"\\u00e9 é\"", " -0.0 "};
  const char *methods[] = {"POST", "PUT", "PATCH"};
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    char *out = NULL;
    answer_next(ok_answer, 1);
    CHECK_STATUS(caffesta_request(client, methods[i % 3], "/a/v1.0/product/", bodies[i], &out), CAFFESTA_OK);
    CHECK(last_body_is(bodies[i]));
    caffesta_string_free(out);
  }
  /* the answer: every byte as the server wrote it */
  const char *answer = "{\"code\" :\"ok\",\n \"data\": {\"z\":7.6,\"big\":12345678901234567890,\"huge\":1e400,"
                       "\"a\":[1E+2, -0.0, 0.59999999999999998],\"s\":\"\\u00e9 é\\/\"} }";
  char *out = NULL;
  answer_next(answer, 1);
  CHECK_STATUS(caffesta_request(client, "GET", "/a/v1.0/draft/get_taxes", NULL, &out), CAFFESTA_OK);
  CHECK(out && strcmp(out, answer) == 0);
  caffesta_string_free(out);
}

static void test_named_reads_return_data_as_written(void) {
  emulator_reset();
  const char *data = "{\"z\":7.6,\"big\":12345678901234567890,\"huge\":1e400,\"a\":[1E+2, -0.0],\"s\":\"\\u00e9 é\"}";
  char answer[512];
  snprintf(answer, sizeof answer, "{\"data\" : %s , \"success\":true}", data);
  char *out = NULL;
  answer_next(answer, 1);
  CHECK_STATUS(caffesta_product_get(client, "json-1", &out), CAFFESTA_OK);
  CHECK(out && strcmp(out, data) == 0);
  caffesta_string_free(out);
  answer_next(answer, 1);
  CHECK_STATUS(caffesta_invoice_get(client, 3, &out), CAFFESTA_OK);
  CHECK(out && strcmp(out, data) == 0);
  caffesta_string_free(out);
  /* a bare array answer comes back whole */
  const char *bare = "[{\"balance\":\"7.6\",\"cost\":0.1,\"id\":12345678901234567890}]";
  answer_next(bare, 1);
  CHECK_STATUS(caffesta_storage_stock(client, 1, &out), CAFFESTA_OK);
  CHECK(out && strcmp(out, bare) == 0);
  caffesta_string_free(out);
  /* a job status: job_id as a number, the rest as written */
  answer_next("{\"code\":\"ok\",\"data\":{\"status\":\"success\",\"job_id\":\"54300903\",\"message\":\"u\",\"sum\":7.6}}", 1);
  CHECK_STATUS(caffesta_order_job_status(client, 54300903, &out), CAFFESTA_OK);
  CHECK(out && strcmp(out, "{\"status\":\"success\",\"job_id\":54300903,\"message\":\"u\",\"sum\":7.6}") == 0);
  caffesta_string_free(out);
  /* the upsert result copies the server's id as text */
  answer_next("{\"success\":true,\"data\":{\"id\":12345678901234567890}}", 1);
  CHECK_STATUS(caffesta_product_upsert(client, "{\"ref_code\":\"caf\\u00e9\"}", &out), CAFFESTA_OK);
  CHECK(out && strcmp(out, "{\"id\":12345678901234567890,\"ref_code\":\"caf\\u00e9\",\"action\":\"updated\"}") == 0);
  caffesta_string_free(out);
}

typedef caffesta_status (*body_call)(const char *json);
static caffesta_status call_upsert(const char *j) { char *o = NULL; caffesta_status s = caffesta_product_upsert(client, j, &o); caffesta_string_free(o); return s; }
static caffesta_status call_many(const char *j) {
  char array[512], *o = NULL;
  snprintf(array, sizeof array, "[%s]", j);
  caffesta_status s = caffesta_products_upsert_many(client, array, 2, &o);
  caffesta_string_free(o);
  return s;
}
static caffesta_status call_update(const char *j) { char *o = NULL; caffesta_status s = caffesta_product_update(client, 5, j, &o); caffesta_string_free(o); return s; }
static caffesta_status call_update_ref(const char *j) { char *o = NULL; caffesta_status s = caffesta_product_update_by_ref_code(client, "x", j, &o); caffesta_string_free(o); return s; }
static caffesta_status call_menu(const char *j) { char *o = NULL; caffesta_status s = caffesta_menu_import(client, j, &o); caffesta_string_free(o); return s; }
static caffesta_status call_menu_part(const char *j) { char *o = NULL; caffesta_status s = caffesta_menu_import_part(client, j, &o); caffesta_string_free(o); return s; }
static caffesta_status call_invoice(const char *j) { long long id; return caffesta_invoice_create(client, j, &id); }
static caffesta_status call_move(const char *j) { long long id; return caffesta_move_create(client, j, &id); }
static caffesta_status call_order(const char *j) { long long id; return caffesta_order_create(client, j, &id); }
static caffesta_status call_submit(const char *j) { char *o = NULL; caffesta_status s = caffesta_order_submit(client, j, &o); caffesta_string_free(o); return s; }
static caffesta_status call_request(const char *j) { char *o = NULL; caffesta_status s = caffesta_request(client, "POST", "/a/v1.0/product/", j, &o); caffesta_string_free(o); return s; }
static caffesta_status call_sync(const char *j) { char *o = NULL; caffesta_status s = caffesta_sync_changes(client, 2, j, &o); caffesta_string_free(o); return s; }

static void test_duplicate_keys_are_refused_in_every_body(void) {
  emulator_reset();
  const body_call calls[] = {call_upsert, call_many, call_update, call_update_ref, call_menu, call_menu_part,
                             call_invoice, call_move, call_order, call_submit, call_request, call_sync};
  const char *names[] = {"upsert", "upsert_many", "update", "update_by_ref_code", "menu_import", "menu_import_part",
                         "invoice", "move", "order", "order_submit", "request", "sync_changes"};
  for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
    harness_current = names[i];
    size_t before = log_length();
    /* at the top, nested with its path, and the same key written once raw and once escaped */
    CHECK_STATUS(calls[i]("{\"ref_code\":\"d\",\"a\":1,\"a\":1}"), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK(strstr(caffesta_last_error(), "duplicate key \"a\"") != NULL);
    CHECK_STATUS(calls[i]("{\"ref_code\":\"d\",\"items\":[{\"p\":{\"k\":1,\"k\":2}}]}"), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK(strstr(caffesta_last_error(), "duplicate key \"k\"") != NULL && strstr(caffesta_last_error(), "items[0].p") != NULL);
    CHECK_STATUS(calls[i]("{\"ref_code\":\"d\",\"é\":1,\"\\u00e9\":2}"), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK(log_length() == before);  /* nothing sent */
  }
  harness_current = "lookalike_keys";
  /* precomposed and decomposed é differ in bytes: two keys, sent as written */
  const char *lookalike = "{\"ref_code\":\"d\",\"caf\xc3\xa9\":1,\"cafe\xcc\x81\":2}";
  answer_next(ok_answer, 1);
  CHECK_STATUS(call_request(lookalike), CAFFESTA_OK);
  CHECK(last_body_is(lookalike));
  answer_next(ok_answer, 1);
  CHECK_STATUS(call_upsert(lookalike), CAFFESTA_OK);
  CHECK(last_body_is(lookalike));
}

static void test_get_and_delete_take_no_body(void) {
  emulator_reset();
  size_t before = log_length();
  char *out = NULL;
  CHECK_STATUS(caffesta_request(client, "GET", "/a/v1.0/draft/get_taxes", "{}", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL && strstr(caffesta_last_error(), "GET") != NULL);
  CHECK_STATUS(caffesta_request(client, "DELETE", "/a/v1.0/product/1", "{\"a\":1}", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(log_length() == before);
  CHECK_STATUS(caffesta_request(client, "GET", "/a/v1.0/draft/get_taxes", NULL, &out), CAFFESTA_OK);
  caffesta_string_free(out);
}

static void test_invalid_bodies_are_refused(void) {
  emulator_reset();
  size_t before = log_length();
  const char *bad[] = {"{\"a\":01}", "{\"a\":1,}", "{\"a\":\"\\ud800\"}", "{\"a\":NaN}", "[1] x", "", "{\"a\":.5}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char *out = NULL;
    CHECK_STATUS(caffesta_request(client, "POST", "/a/v1.0/product/", bad[i], &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK(strstr(caffesta_last_error(), "body_json") != NULL);
  }
  CHECK(log_length() == before);
}

int main(void) {
  client = caffesta_client_new("demo", emulator_key());
  caffesta_client_set_base_url(client, emulator_url());
  static const test_case tests[] = {
    {"named_writes_send_the_body_as_written", test_named_writes_send_the_body_as_written},
    {"bulk_sends_each_item_as_written", test_bulk_sends_each_item_as_written},
    {"request_sends_and_returns_text_as_written", test_request_sends_and_returns_text_as_written},
    {"named_reads_return_data_as_written", test_named_reads_return_data_as_written},
    {"duplicate_keys_are_refused_in_every_body", test_duplicate_keys_are_refused_in_every_body},
    {"get_and_delete_take_no_body", test_get_and_delete_take_no_body},
    {"invalid_bodies_are_refused", test_invalid_bodies_are_refused},
  };
  int failed = run_tests(tests, sizeof tests / sizeof *tests);
  caffesta_client_free(client);
  return failed;
}
