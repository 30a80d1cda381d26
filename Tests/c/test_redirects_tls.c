/* Where the key may go: a redirect to another host is never followed (that host sees nothing),
 * and HTTPS certificates are always verified, a private CA trusted only when given. Both start
 * an emulator of their own on a free port (another host; one over TLS, with a certificate
 * made by openssl at test time). */
#include "caffesta.h"
#include "harness.h"
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- Redirects ---- */

static void test_redirect_to_another_host_is_not_followed(void) {
  emulator_reset();
  int port = free_port();
  char other[256] = "";
  pid_t pid = spawn_emulator(port, NULL, other, sizeof other);
  CHECK(pid > 0);
  caffesta_client *c = new_client();
  const int statuses[] = {301, 302, 303, 307, 308};
  for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
    char more[512];
    snprintf(more, sizeof more, "\"status\":%d,\"location\":\"%s" AUTH_PATH "\"", statuses[i], other);
    fault("redirect", "GET", AUTH_PATH, more);
    CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_HTTP);
    CHECK(caffesta_last_http_status() == statuses[i]);
    /* A write redirected with 307/308 would be re-posted with its body if followed. */
    snprintf(more, sizeof more, "\"status\":%d,\"location\":\"%s" INVOICES_PATH "\"", statuses[i], other);
    fault("redirect", "POST", INVOICES_PATH, more);
    create_sample_invoice(c, CAFFESTA_ERR_HTTP);
    CHECK(caffesta_last_http_status() == statuses[i]);
  }
  if (pid > 0) {
    json_t *log = log_at(other, NULL);
    CHECK(json_array_size(log) == 0); /* the other host saw nothing, the key least of all */
    json_decref(log);
    CHECK(emulator_stat_at(other, "invoices") == 0);
  }
  kill_emulator(pid);
  caffesta_client_free(c);
}

/* ---- TLS ---- */

static int run_quietly(const char *command) {
  char line[4096];
  snprintf(line, sizeof line, "%s >/dev/null 2>&1", command);
  return system(line);
}

static void test_tls_is_verified_and_a_given_ca_is_trusted(void) {
  char dir[] = "/tmp/caffesta-tls-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char cert[128], key[128], command[1024];
  snprintf(cert, sizeof cert, "%s/cert.pem", dir);
  snprintf(key, sizeof key, "%s/key.pem", dir);
  snprintf(command, sizeof command,
           "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
           "-addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s", key, cert);
  CHECK(run_quietly(command) == 0);
  int port = free_port();
  char url[256] = "";
  const char *const tls_flags[] = {"--tls-cert", cert, "--tls-key", key, NULL};
  pid_t pid = spawn_emulator(port, tls_flags, url, sizeof url);
  CHECK(pid > 0);
  CHECK(strncmp(url, "https://127.0.0.1:", 18) == 0);

  /* The system store does not trust a self-signed certificate: refused before any request. */
  caffesta_client *c = client_at(url);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_TLS);
  CHECK(caffesta_last_http_status() == 0);
  json_t *log = log_at(url, cert);
  CHECK(json_array_size(log) == 0); /* the key never went out */
  json_decref(log);

  /* Trusted through the CA file. */
  CHECK_STATUS(caffesta_client_set_ca_file(c, cert), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  log = log_at(url, cert);
  CHECK(json_array_size(log) == 1);
  CHECK(strcmp(text_of(json_object_get(json_array_get(log, 0), "headers"), "x-api-key"), emulator_key()) == 0);
  json_decref(log);

  /* The certificate names 127.0.0.1, not localhost: the host name is checked too. */
  char by_name[256];
  snprintf(by_name, sizeof by_name, "https://localhost:%d", port);
  caffesta_client *wrong_name = client_at(by_name);
  CHECK_STATUS(caffesta_client_set_ca_file(wrong_name, cert), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_timeouts(wrong_name, 3000, 5000), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(wrong_name), CAFFESTA_ERR_TLS);
  caffesta_client_free(wrong_name);

  /* A CA file that does not exist: a TLS error, never an unverified connection. */
  CHECK_STATUS(caffesta_client_set_ca_file(c, "/nonexistent/ca.pem"), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_TLS);
  CHECK_STATUS(caffesta_client_set_ca_file(c, key), CAFFESTA_OK); /* a PEM, but not a certificate */
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_TLS);
  CHECK_STATUS(caffesta_client_set_ca_file(c, dir), CAFFESTA_OK); /* a directory */
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_TLS);
  /* NULL restores the system store: refused again. */
  CHECK_STATUS(caffesta_client_set_ca_file(c, NULL), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_TLS);
  log = log_at(url, cert);
  CHECK(json_array_size(log) == 1); /* still only the trusted client's request */
  json_decref(log);
  caffesta_client_free(c);

  kill_emulator(pid);
  unlink(cert);
  unlink(key);
  rmdir(dir);
}

int main(void) {
  static const test_case tests[] = {
    {"redirect_to_another_host_is_not_followed", test_redirect_to_another_host_is_not_followed},
    {"tls_is_verified_and_a_given_ca_is_trusted", test_tls_is_verified_and_a_given_ca_is_trusted},
  };
  return run_tests(tests, sizeof tests / sizeof *tests);
}
