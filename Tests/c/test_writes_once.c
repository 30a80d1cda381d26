/* Writes that must not repeat: a POST that may have reached the server is never sent again (not
 * by the library's retries, not by libcurl's resend on a kept-alive connection), and a write
 * refused before it left is retried and made once. The emulator's row counts and request log
 * say what arrived; one test starts a late emulator of its own on a free port. */
#include "caffesta.h"
#include "harness.h"
#include <jansson.h>
#include <sys/types.h>

static void test_post_applied_then_closed_is_not_resent(void) {
  emulator_reset();
  long before = emulator_stat("invoices");
  caffesta_client *c = new_client(); /* a fresh connection */
  fault("apply_then_close", "POST", INVOICES_PATH, NULL);
  create_sample_invoice(c, CAFFESTA_ERR_NETWORK);
  CHECK(caffesta_last_http_status() == 0);
  CHECK(emulator_stat("invoices") == before + 1);
  json_t *log = request_log();
  CHECK(count_requests(log, "POST", INVOICES_PATH) == 1);
  CHECK(json_array_size(log) == 1);
  json_decref(log);
  caffesta_client_free(c);
}

static void test_post_on_kept_alive_connection_applied_then_closed_is_not_resent(void) {
  emulator_reset();
  long before = emulator_stat("invoices");
  caffesta_client *c = new_client();
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK); /* opens the connection the POST reuses */
  fault("apply_then_close", "POST", INVOICES_PATH, NULL);
  create_sample_invoice(c, CAFFESTA_ERR_NETWORK);
  CHECK(emulator_stat("invoices") == before + 1);
  json_t *log = request_log();
  CHECK(json_array_size(log) == 2);
  CHECK(count_requests(log, "POST", INVOICES_PATH) == 1);
  /* The POST really went on the GET's kept-alive connection: the case libcurl would resend. */
  CHECK(strcmp(text_of(json_array_get(log, 0), "peer"), text_of(json_array_get(log, 1), "peer")) == 0);
  json_decref(log);
  /* The client goes on working on a new connection; the next invoice is made once. */
  CHECK(create_sample_invoice(c, CAFFESTA_OK) > 0);
  CHECK(emulator_stat("invoices") == before + 2);
  caffesta_client_free(c);
}

static void test_post_whose_connection_closes_or_resets_is_not_resent(void) {
  const char *kinds[] = {"close", "reset"};
  for (size_t i = 0; i < 2; i++) {
    emulator_reset();
    long before = emulator_stat("invoices");
    caffesta_client *c = new_client();
    CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
    fault(kinds[i], "POST", INVOICES_PATH, NULL);
    create_sample_invoice(c, CAFFESTA_ERR_NETWORK); /* the client cannot know it was not applied */
    json_t *log = request_log();
    CHECK(count_requests(log, "POST", INVOICES_PATH) == 1);
    json_decref(log);
    CHECK(emulator_stat("invoices") == before);
    caffesta_client_free(c);
  }
}

static void test_post_that_times_out_is_not_resent(void) {
  emulator_reset();
  long before = emulator_stat("invoices");
  caffesta_client *c = new_client();
  CHECK_STATUS(caffesta_client_set_timeouts(c, 500, 500), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_max_retries(c, 5), CAFFESTA_OK);
  fault("delay", "POST", INVOICES_PATH, "\"delay_ms\":1000"); /* applied after the client gave up */
  long long start = now_ms();
  create_sample_invoice(c, CAFFESTA_ERR_TIMEOUT);
  CHECK(now_ms() - start < 1000);
  sleep_ms(1300 - (now_ms() - start));
  CHECK(emulator_stat("invoices") == before + 1); /* why TIMEOUT means "check before retrying" */
  json_t *log = request_log();
  CHECK(count_requests(log, "POST", INVOICES_PATH) == 1);
  json_decref(log);
  caffesta_client_free(c);
}

static void test_post_given_502_is_not_resent_but_503_is(void) {
  emulator_reset();
  long before = emulator_stat("invoices");
  caffesta_client *c = new_client();
  fault("status", "POST", INVOICES_PATH, "\"status\":502");
  create_sample_invoice(c, CAFFESTA_ERR_SERVER);
  CHECK(caffesta_last_http_status() == 502);
  CHECK(log_length() == 1); /* a proxy's 502: the server may have applied it */
  CHECK(emulator_stat("invoices") == before);
  clear_request_log();
  /* 503 means the server refused before doing anything: sent again, written once. */
  fault("status", "POST", INVOICES_PATH, "\"status\":503");
  CHECK(create_sample_invoice(c, CAFFESTA_OK) > 0);
  CHECK(log_length() == 2);
  CHECK(emulator_stat("invoices") == before + 1);
  caffesta_client_free(c);
}

static void test_post_refused_at_connect_is_retried_and_written_once(void) {
  int port = free_port();
  CHECK(port > 0);
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
  caffesta_client *c = client_at(url);
  CHECK_STATUS(caffesta_client_set_max_retries(c, 5), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_timeouts(c, 2000, 20000), CAFFESTA_OK);
  int fd = -1;
  pid_t pid = start_emulator(port, 400, NULL, &fd); /* nothing listens for the first ~400 ms */
  CHECK(pid > 0);
  CHECK(create_sample_invoice(c, CAFFESTA_OK) > 0);
  if (pid > 0 && read_listening(fd, 20000, NULL, 0)) {
    CHECK(emulator_stat_at(url, "invoices") == 1);
    json_t *log = log_at(url, NULL);
    CHECK(count_requests(log, "POST", INVOICES_PATH) == 1);
    json_decref(log);
  } else {
    CHECK(!"the late emulator started");
  }
  kill_emulator(pid);
  caffesta_client_free(c);
}

int main(void) {
  static const test_case tests[] = {
    {"post_applied_then_closed_is_not_resent", test_post_applied_then_closed_is_not_resent},
    {"post_on_kept_alive_connection_applied_then_closed_is_not_resent",
     test_post_on_kept_alive_connection_applied_then_closed_is_not_resent},
    {"post_whose_connection_closes_or_resets_is_not_resent",
     test_post_whose_connection_closes_or_resets_is_not_resent},
    {"post_that_times_out_is_not_resent", test_post_that_times_out_is_not_resent},
    {"post_given_502_is_not_resent_but_503_is", test_post_given_502_is_not_resent_but_503_is},
    {"post_refused_at_connect_is_retried_and_written_once", test_post_refused_at_connect_is_retried_and_written_once},
  };
  return run_tests(tests, sizeof tests / sizeof *tests);
}
