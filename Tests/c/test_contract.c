/* The header's promises that a newcomer relies on (issue 18): caffesta_client_create, which
 * calls keep caffesta_last_error() and which reset it, what a numeric output holds after an
 * error, a base URL that already ends in the API prefix, full URLs in messages, the invoice's
 * documented date form, and the timeout rule. */
#include "caffesta.h"
#include "harness.h"

static caffesta_client *created_client(void) {
  caffesta_client *c = NULL;
  if (caffesta_client_create("demo", emulator_key(), &c) != CAFFESTA_OK) return NULL;
  caffesta_client_set_base_url(c, emulator_url());
  return c;
}

static void test_client_create_says_why(void) {
  caffesta_client *c = (caffesta_client *)1;
  CHECK_STATUS(caffesta_client_create("bad.name", "0123456789abcdef0123456789abcdef", &c), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(c == NULL);
  CHECK(strstr(caffesta_last_error(), "account_name") != NULL);
  c = (caffesta_client *)1;
  CHECK_STATUS(caffesta_client_create("demo", "", &c), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(c == NULL);
  CHECK(strstr(caffesta_last_error(), "api_key") != NULL || strstr(caffesta_last_error(), "API key") != NULL);
  CHECK_STATUS(caffesta_client_create(NULL, "0123456789abcdef0123456789abcdef", &c), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_create("demo", "0123456789abcdef0123456789abcdef", NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(strstr(caffesta_last_error(), "NULL") != NULL);

  CHECK_STATUS(caffesta_client_create("demo", emulator_key(), &c), CAFFESTA_OK);
  CHECK(c != NULL);
  CHECK(strcmp(caffesta_last_error(), "") == 0);
  CHECK_STATUS(caffesta_client_set_base_url(c, emulator_url()), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  caffesta_client_free(c);
}

static void test_which_calls_keep_the_last_error(void) {
  caffesta_client *c = created_client();
  CHECK(c != NULL);
  CHECK_STATUS(caffesta_storage_stock(c, -1, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  char saved[512];
  snprintf(saved, sizeof saved, "%s", caffesta_last_error());
  CHECK(saved[0] != '\0');
  /* These leave the message and the HTTP status alone. */
  (void)caffesta_last_http_status();
  (void)caffesta_status_name(CAFFESTA_ERR_API);
  (void)caffesta_version();
  caffesta_string_free(NULL);
  caffesta_client *other = NULL;
  caffesta_client_free(other);
  CHECK(strcmp(caffesta_last_error(), saved) == 0);
  /* Every call that returns a status resets it: a setter's success clears it. */
  CHECK_STATUS(caffesta_client_set_max_retries(c, 2), CAFFESTA_OK);
  CHECK(strcmp(caffesta_last_error(), "") == 0);
  CHECK(caffesta_last_http_status() == 0);
  /* ... and caffesta_client_new's success too. */
  CHECK_STATUS(caffesta_client_set_max_retries(c, 99), CAFFESTA_ERR_INVALID_ARGUMENT);
  caffesta_client *fresh = caffesta_client_new("demo", emulator_key());
  CHECK(fresh != NULL);
  CHECK(strcmp(caffesta_last_error(), "") == 0);
  caffesta_client_free(fresh);
  caffesta_client_free(c);
}

static void test_a_numeric_output_is_zero_after_an_error(void) {
  caffesta_client *c = created_client();
  long long id = 12345;
  CHECK_STATUS(caffesta_invoice_create(c, "{\"number\": 1}", &id), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(id == 0);
  id = 12345;
  CHECK_STATUS(caffesta_move_create(c, "not json", &id), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(id == 0);
  caffesta_client_free(c);
}

static void test_a_base_url_with_the_api_prefix_is_refused(void) {
  caffesta_client *c = created_client();
  const char *doubled[] = {"http://127.0.0.1:8765/a/v1.0", "http://127.0.0.1:8765/a/v1.0/",
                           "https://mycafe.caffesta.com/a/v1.1", "http://proxy.local/caffesta/a/v1.0"};
  for (size_t i = 0; i < sizeof doubled / sizeof doubled[0]; i++) {
    CHECK_STATUS(caffesta_client_set_base_url(c, doubled[i]), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK(strstr(caffesta_last_error(), "/a/v1.0") != NULL);
    CHECK(strstr(caffesta_last_error(), "API prefix") != NULL);
  }
  /* A proxy prefix of its own is fine. */
  CHECK_STATUS(caffesta_client_set_base_url(c, "http://proxy.local/caffesta"), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_base_url(c, "http://proxy.local/a/v1x"), CAFFESTA_OK);
  caffesta_client_free(c);
}

static void test_messages_name_the_full_url(void) {
  caffesta_client *c = created_client();
  char expected[512];
  snprintf(expected, sizeof expected, "GET %s/a/v1.0/draft/store/424242", emulator_url());
  char *out = NULL;
  caffesta_status status = caffesta_storage_stock(c, 424242, &out);
  CHECK(status != CAFFESTA_OK);
  CHECK(strstr(caffesta_last_error(), expected) != NULL);
  /* A wrong key: the URL shows, the key never does. */
  caffesta_client *wrong = NULL;
  CHECK_STATUS(caffesta_client_create("demo", "ffffffffffffffffffffffffffffffff", &wrong), CAFFESTA_OK);
  caffesta_client_set_base_url(wrong, emulator_url());
  CHECK_STATUS(caffesta_auth_test(wrong), CAFFESTA_ERR_UNAUTHORIZED);
  snprintf(expected, sizeof expected, "GET %s/a/v1.0/storage/test", emulator_url());
  CHECK(strstr(caffesta_last_error(), expected) != NULL);
  CHECK(strstr(caffesta_last_error(), "ffffffff") == NULL);
  caffesta_client_free(wrong);
  caffesta_client_free(c);
}

static void test_an_invoice_date_in_another_form_is_refused_before_any_request(void) {
  emulator_reset();
  caffesta_client *c = created_client();
  const char *bad[] = {"2026-11-30", "2026-11-30T10:00", "2026-11-30 10:00:00", "30.11.2026 10:00", "2026-02-30 10:00"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char body[512];
    snprintf(body, sizeof body,
             "{\"number\": \"N-1\", \"date\": \"%s\", \"storage\": {\"caf_id\": 1},"
             " \"items\": [{\"amount\": 1, \"product_code\": \"p\"}]}", bad[i]);
    long long id = 7;
    CHECK_STATUS(caffesta_invoice_create(c, body, &id), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK(strstr(caffesta_last_error(), "YYYY-MM-DD HH:MM") != NULL);
    CHECK(id == 0);
  }
  CHECK(emulator_stat("invoices") == 0);
  const char *bad_move = "{\"date\": \"2022-06-01\", \"storage_from\": {\"caf_id\": 1}, \"storage_to\": {\"caf_id\": 1},"
                         " \"items\": [{\"amount\": 1, \"product_code\": \"p\"}]}";
  long long id = 0;
  CHECK_STATUS(caffesta_move_create(c, bad_move, &id), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(strstr(caffesta_last_error(), "move_json: date") != NULL);

  char *sample = sample_text("invoice_create.request.json"); /* "2018-06-13 14:28": the documented form */
  CHECK_STATUS(caffesta_invoice_create(c, sample, &id), CAFFESTA_OK);
  CHECK(id > 0);
  free(sample);
  caffesta_client_free(c);
}

static void test_connect_timeout_above_the_request_timeout_is_refused(void) {
  caffesta_client *c = created_client();
  CHECK_STATUS(caffesta_client_set_timeouts(c, 5000, 1000), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(strstr(caffesta_last_error(), "connect timeout") != NULL);
  CHECK_STATUS(caffesta_client_set_timeouts(c, 1000, 1000), CAFFESTA_OK);
  caffesta_client_free(c);
}

/* A feed's ts is inclusive: a row changed in that very second comes back. */
static int feed_holds(caffesta_client *c, long long ts, json_int_t id) {
  char *out = NULL;
  if (caffesta_products_all(c, 2, ts, &out) != CAFFESTA_OK) return -1;
  json_t *rows = parsed(out);
  int found = 0;
  for (size_t i = 0; i < json_array_size(rows); i++)
    if (json_integer_value(json_object_get(json_array_get(rows, i), "id")) == id) found = 1;
  json_decref(rows);
  caffesta_string_free(out);
  return found;
}

static void test_a_feed_ts_is_inclusive(void) {
  emulator_reset();
  caffesta_client *c = created_client();
  char *out = NULL;
  CHECK_STATUS(caffesta_product_upsert(c, "{\"ref_code\": \"ts-edge-c\", \"name\": \"x\", \"caf_tax_id\": 1,"
                                          " \"category_ref_code\": \"c\", \"workspace_ref_code\": \"w\"}", &out),
               CAFFESTA_OK);
  json_t *created = parsed(out);
  json_int_t id = json_integer_value(json_object_get(created, "id"));
  json_decref(created);
  caffesta_string_free(out);
  CHECK_STATUS(caffesta_updates_get(c, 2, &out), CAFFESTA_OK);
  json_t *updates = parsed(out);
  long long ts = (long long)json_integer_value(json_object_get(updates, "products"));
  json_decref(updates);
  caffesta_string_free(out);
  CHECK(ts > 0);
  CHECK(feed_holds(c, ts, id) == 1);
  CHECK(feed_holds(c, ts + 1, id) == 0);
  caffesta_client_free(c);
}

int main(void) {
  const test_case tests[] = {
    {"client_create_says_why", test_client_create_says_why},
    {"which_calls_keep_the_last_error", test_which_calls_keep_the_last_error},
    {"a_numeric_output_is_zero_after_an_error", test_a_numeric_output_is_zero_after_an_error},
    {"a_base_url_with_the_api_prefix_is_refused", test_a_base_url_with_the_api_prefix_is_refused},
    {"messages_name_the_full_url", test_messages_name_the_full_url},
    {"an_invoice_date_in_another_form_is_refused_before_any_request",
     test_an_invoice_date_in_another_form_is_refused_before_any_request},
    {"connect_timeout_above_the_request_timeout_is_refused", test_connect_timeout_above_the_request_timeout_is_refused},
    {"a_feed_ts_is_inclusive", test_a_feed_ts_is_inclusive},
  };
  return run_tests(tests, sizeof tests / sizeof tests[0]);
}
