/* The delivery state of every failure (caffesta_last_delivery, the bulk report's "delivery") for
 * each failure kind of the emulator's fault list, a write (an invoice: POST, never resent once
 * it may have arrived) and a read; the status of the last attempt; the message's words. */
#include "caffesta.h"
#include "harness.h"

#define INVOICES "/a/v1.0/storage/invoices"
#define INVOICE "{\"number\":\"D-1\",\"date\":\"2024-03-01 10:00\",\"storage\":{\"caf_id\":1}," \
                "\"items\":[{\"amount\":1,\"product_code\":\"1\",\"price\":2}]}"

static caffesta_client *short_client(void) {
  caffesta_client *c = NULL;
  CHECK_STATUS(caffesta_client_create("demo", emulator_key(), &c), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_base_url(c, emulator_url()), CAFFESTA_OK);
  /* Short enough for the held answers, long enough for a busy machine's normal ones. */
  CHECK_STATUS(caffesta_client_set_timeouts(c, 1000, 1500), CAFFESTA_OK);
  return c;
}

static const char *delivery_name(caffesta_delivery d) {
  return d == CAFFESTA_NOT_SENT ? "NOT_SENT" : d == CAFFESTA_MAY_HAVE_ARRIVED ? "MAY_HAVE_ARRIVED" : "ANSWERED";
}

typedef struct {
  const char *fault;  /* the fault armed for POST /storage/invoices, or NULL */
  caffesta_status status;
  caffesta_delivery delivery;
  const char *words;  /* in the message, or NULL */
} write_case;

/* One invoice_create against a fault: its status, its delivery state, the words. */
static void check_write(const write_case *w) {
  emulator_reset();
  caffesta_client *c = short_client();
  CHECK_STATUS(caffesta_client_set_max_response_size(c, 4096), CAFFESTA_OK);
  if (w->fault) emulator_fault(w->fault);
  long long id = -1;
  caffesta_status got = caffesta_invoice_create(c, INVOICE, &id);
  caffesta_delivery delivery = caffesta_last_delivery();
  if (got != w->status || delivery != w->delivery) {
    harness_checks_failed++;
    fprintf(stderr, "  %s: %s, %s; expected %s, %s (%s)\n", w->fault ? w->fault : "no fault", caffesta_status_name(got),
            delivery_name(delivery), caffesta_status_name(w->status), delivery_name(w->delivery), caffesta_last_error());
  }
  if (w->words && !strstr(caffesta_last_error(), w->words)) {
    harness_checks_failed++;
    fprintf(stderr, "  %s: \"%s\" lacks \"%s\"\n", w->fault, caffesta_last_error(), w->words);
  }
  CHECK(w->status == CAFFESTA_OK ? id > 0 : id == 0);
  caffesta_client_free(c);
}

#define MAY "the invoice may have been created: check the invoice list before sending it again"
#define SAFE "the invoice was not created: sending it again is safe"

static void test_every_fault_kind_on_a_write(void) {
  const write_case cases[] = {
    {"{\"kind\":\"status\",\"status\":500,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_SERVER, CAFFESTA_ANSWERED, NULL},
    {"{\"kind\":\"status\",\"status\":503,\"count\":3,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_SERVER, CAFFESTA_NOT_SENT, SAFE},
    {"{\"kind\":\"status\",\"status\":429,\"count\":3,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_RATE_LIMITED, CAFFESTA_NOT_SENT, SAFE},
    {"{\"kind\":\"status\",\"status\":502,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_SERVER, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"status\",\"status\":504,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_SERVER, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"status\",\"status\":400,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_HTTP, CAFFESTA_ANSWERED, NULL},
    {"{\"kind\":\"delay\",\"delay_ms\":4000,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_TIMEOUT, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"html\",\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_SERVER, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"html200\",\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_PROTOCOL, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"empty\",\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_PROTOCOL, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"truncate\",\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_NETWORK, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"close\",\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_NETWORK, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"reset\",\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_NETWORK, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"apply_then_close\",\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_NETWORK, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"trickle\",\"delay_ms\":200,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_TIMEOUT, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"hang\",\"delay_ms\":5000,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_TIMEOUT, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"oversize\",\"size_bytes\":100000,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_PROTOCOL, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"invalid_utf8\",\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_PROTOCOL, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"deep_json\",\"depth\":3000,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_PROTOCOL, CAFFESTA_MAY_HAVE_ARRIVED, MAY},
    {"{\"kind\":\"redirect\",\"location\":\"http://127.0.0.1:9/\",\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_ERR_HTTP, CAFFESTA_ANSWERED, NULL},
    {"{\"kind\":\"body\",\"json\":{\"success\":false,\"data\":{\"error\":\"storage closed\"}},\"path_prefix\":\"" INVOICES "\"}",
     CAFFESTA_ERR_API, CAFFESTA_ANSWERED, "storage closed"},
    {"{\"kind\":\"body\",\"json\":{\"success\":true,\"data\":{}},\"path_prefix\":\"" INVOICES "\"}",
     CAFFESTA_ERR_PROTOCOL, CAFFESTA_MAY_HAVE_ARRIVED, MAY}, /* answered 200 without the new id */
    /* A 503 proves the write unprocessed: it is sent again, and the resend succeeds. */
    {"{\"kind\":\"status\",\"status\":503,\"retry_after\":0,\"path_prefix\":\"" INVOICES "\"}", CAFFESTA_OK, CAFFESTA_ANSWERED, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_write(&cases[i]);
}

static void test_the_last_attempt_decides(void) {
  emulator_reset();
  caffesta_client *c = short_client();
  emulator_fault("{\"kind\":\"status\",\"status\":503,\"retry_after\":0,\"path_prefix\":\"" INVOICES "\"}");
  emulator_fault("{\"kind\":\"hang\",\"delay_ms\":5000,\"path_prefix\":\"" INVOICES "\"}");
  long long id = 0;
  CHECK_STATUS(caffesta_invoice_create(c, INVOICE, &id), CAFFESTA_ERR_TIMEOUT);
  CHECK(caffesta_last_delivery() == CAFFESTA_MAY_HAVE_ARRIVED);
  CHECK(strstr(caffesta_last_error(), "HTTP 503") != NULL); /* the earlier attempt is told too */
  CHECK(strstr(caffesta_last_error(), MAY) != NULL);
  caffesta_client_free(c);
}

static void test_nothing_sent_and_answered(void) {
  /* Refused connection: not sent. */
  caffesta_client *c = short_client();
  CHECK_STATUS(caffesta_client_set_base_url(c, "http://127.0.0.1:9"), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_max_retries(c, 0), CAFFESTA_OK);
  long long id = 0;
  CHECK_STATUS(caffesta_invoice_create(c, INVOICE, &id), CAFFESTA_ERR_NETWORK);
  CHECK(caffesta_last_delivery() == CAFFESTA_NOT_SENT);
  CHECK(strstr(caffesta_last_error(), SAFE) != NULL);
  /* Bad input: not sent. */
  CHECK_STATUS(caffesta_invoice_create(c, "{}", &id), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(caffesta_last_delivery() == CAFFESTA_NOT_SENT);
  /* A setter sends nothing. */
  CHECK_STATUS(caffesta_client_set_base_url(c, emulator_url()), CAFFESTA_OK);
  CHECK(caffesta_last_delivery() == CAFFESTA_NOT_SENT);
  /* A success was answered; the invoice exists once. */
  emulator_reset();
  CHECK_STATUS(caffesta_invoice_create(c, INVOICE, &id), CAFFESTA_OK);
  CHECK(caffesta_last_delivery() == CAFFESTA_ANSWERED);
  CHECK(emulator_stat("invoices") == 1);
  /* apply_then_close: the invoice was saved, the caller is told it may have been. */
  emulator_fault("{\"kind\":\"apply_then_close\",\"path_prefix\":\"" INVOICES "\"}");
  CHECK_STATUS(caffesta_invoice_create(c, INVOICE, &id), CAFFESTA_ERR_NETWORK);
  CHECK(caffesta_last_delivery() == CAFFESTA_MAY_HAVE_ARRIVED);
  CHECK(emulator_stat("invoices") == 2);
  caffesta_client_free(c);
}

static void test_reads_carry_it_too(void) {
  emulator_reset();
  caffesta_client *c = short_client();
  char *json = NULL;
  emulator_fault("{\"kind\":\"close\",\"count\":3,\"path_prefix\":\"/a/v1.0/storage/invoices/1\"}");
  CHECK_STATUS(caffesta_invoice_get(c, 1, &json), CAFFESTA_ERR_NETWORK); /* retried, then given up */
  CHECK(caffesta_last_delivery() == CAFFESTA_MAY_HAVE_ARRIVED);
  CHECK(strstr(caffesta_last_error(), "may have been") == NULL); /* a read: no advice to check */
  emulator_fault("{\"kind\":\"feed_error\",\"message\":\"Terminal is blocked\"}");
  CHECK_STATUS(caffesta_categories_get(c, &json), CAFFESTA_ERR_API);
  CHECK(caffesta_last_delivery() == CAFFESTA_ANSWERED);
  CHECK_STATUS(caffesta_product_get(c, "no-such", &json), CAFFESTA_ERR_NOT_FOUND);
  CHECK(caffesta_last_delivery() == CAFFESTA_ANSWERED);
  caffesta_client_free(c);
}

/* The bulk report: each failed item's delivery. */
static void test_bulk_items_say_theirs(void) {
  emulator_reset();
  caffesta_client *c = short_client();
  emulator_fault("{\"kind\":\"status\",\"status\":500,\"path_prefix\":\"/a/v1.0/product/by_ref_code/d-answered\"}");
  emulator_fault("{\"kind\":\"status\",\"status\":503,\"count\":3,\"path_prefix\":\"/a/v1.0/product/by_ref_code/d-refused\"}");
  emulator_fault("{\"kind\":\"hang\",\"delay_ms\":5000,\"path_prefix\":\"/a/v1.0/product/by_ref_code/d-held\"}");
  char *report_text = NULL;
  CHECK_STATUS(caffesta_products_upsert_many(c,
      "[{\"ref_code\":\"d-ok\",\"name\":\"a\"},{\"ref_code\":\"d-answered\",\"name\":\"b\"},"
      "{\"ref_code\":\"d-refused\",\"name\":\"c\"},{\"ref_code\":\"d-held\",\"name\":\"d\"},{\"name\":\"no ref\"}]",
      4, &report_text), CAFFESTA_ERR_PARTIAL);
  CHECK(caffesta_last_delivery() == CAFFESTA_MAY_HAVE_ARRIVED); /* the most uncertain of the items */
  json_t *report = parsed(report_text);
  caffesta_string_free(report_text);
  CHECK(json_array_size(report) == 5);
  CHECK(strcmp(text_of(json_array_get(report, 0), "action"), "created") == 0);
  CHECK(json_object_get(json_array_get(report, 0), "delivery") == NULL);
  CHECK(strcmp(text_of(json_array_get(report, 1), "delivery"), "answered") == 0);
  CHECK(strcmp(text_of(json_array_get(report, 2), "delivery"), "not_sent") == 0);
  CHECK(strcmp(text_of(json_array_get(report, 3), "delivery"), "may_have_arrived") == 0);
  CHECK(strcmp(text_of(json_array_get(report, 3), "status"), "CAFFESTA_ERR_TIMEOUT") == 0);
  CHECK(strstr(text_of(json_array_get(report, 3), "message"), "may have been saved: upserting it again is safe") != NULL);
  CHECK(strcmp(text_of(json_array_get(report, 4), "delivery"), "not_sent") == 0);
  json_decref(report);
  caffesta_client_free(c);
}

int main(void) {
  const test_case tests[] = {
    {"every_fault_kind_on_a_write", test_every_fault_kind_on_a_write},
    {"the_last_attempt_decides", test_the_last_attempt_decides},
    {"nothing_sent_and_answered", test_nothing_sent_and_answered},
    {"reads_carry_it_too", test_reads_carry_it_too},
    {"bulk_items_say_theirs", test_bulk_items_say_theirs},
  };
  return run_tests(tests, sizeof tests / sizeof tests[0]);
}
