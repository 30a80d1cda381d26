// include/caffesta.hpp as a till's C++ code uses it, against the emulator. Built and run once per
// standard from C++11 (its lowest) to C++20 with -Wall -Wextra -Werror -pedantic (Tests/c/Makefile).
#include <caffesta.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

static int failed = 0;
#define EXPECT(cond)                                                            \
  do {                                                                          \
    if (!(cond)) {                                                              \
      failed++;                                                                 \
      std::printf("  %s:%d: EXPECT(%s) failed\n", __FILE__, __LINE__, #cond);   \
    }                                                                           \
  } while (0)

static const char *env(const char *name) {
  const char *value = std::getenv(name);
  if (!value) {
    std::printf("%s is not set: run through scripts/with-emulator.sh\n", name);
    std::exit(2);
  }
  return value;
}

int main() {
  const std::string url = env("CAFFESTA_BASE_URL");
  const std::string key = env("CAFFESTA_API_KEY");

  caffesta::Client client("demo", key);  // std::string in
  client.set_base_url(url);
  client.auth_test();
  std::string result = client.upsert_product(
      R"({"ref_code": "cpp-1", "name": "Капучино", "caf_tax_id": 1, "category_ref_code": "c", "workspace_ref_code": "w"})");
  EXPECT(result.find("\"action\":\"created\"") != std::string::npos);
  EXPECT(client.list_storages().find("\"id\"") != std::string::npos);

  // Errors are exceptions with the status, the HTTP status and the library's message.
  try {
    client.get_product("no-such-product");
    EXPECT(!"no exception");
  } catch (const caffesta::Error &e) {
    EXPECT(e.status() == CAFFESTA_ERR_NOT_FOUND);
    EXPECT(e.http_status() == 404);
    EXPECT(std::string(e.status_name()) == "CAFFESTA_ERR_NOT_FOUND");
    EXPECT(std::string(e.what()).find("CAFFESTA_ERR_NOT_FOUND: GET " + url) == 0);
  }
  // Bad input: from the library (a bad account name) and from the wrapper (a NUL inside).
  try {
    caffesta::Client bad("bad.name", key);
    EXPECT(!"no exception");
  } catch (const caffesta::Error &e) {
    EXPECT(e.status() == CAFFESTA_ERR_INVALID_ARGUMENT);
    EXPECT(e.message().find("account_name") != std::string::npos);
  }
  try {
    client.get_product(std::string("a\0b", 3));
    EXPECT(!"no exception");
  } catch (const caffesta::Error &e) {
    EXPECT(e.status() == CAFFESTA_ERR_INVALID_ARGUMENT);
    EXPECT(e.message() == "ref_code contains a NUL byte");
  }
  try {
    client.set_base_url(url + "/a/v1.0");
    EXPECT(!"no exception");
  } catch (const caffesta::Error &e) {
    EXPECT(e.message().find("API prefix") != std::string::npos);
  }
  client.set_base_url(url);

  // A new invoice, then wired; its id is a number.
  long long invoice = client.create_invoice(
      R"({"number": "CPP-1", "date": "2026-11-30 10:00", "storage": {"caf_id": 1},)"
      R"( "items": [{"amount": 2, "product_code": "cpp-1", "price": 1.5}]})");
  EXPECT(invoice > 0);
  client.wire_invoice(invoice);
  EXPECT(client.get_invoice(invoice).find("\"name\":\"CPP-1\"") != std::string::npos);

  // RAII: a moved-from client refuses calls; the moved-to one works; both free once.
  caffesta::Client moved(std::move(client));
  EXPECT(client.get() == nullptr);
  try {
    client.auth_test();
    EXPECT(!"no exception");
  } catch (const caffesta::Error &e) {
    EXPECT(e.status() == CAFFESTA_ERR_INVALID_ARGUMENT);
  }
  moved.auth_test();
  // The bulk call returns the report; failed items are in it, not thrown.
  std::string report = moved.upsert_products(R"([{"ref_code": "cpp-2", "name": "Раф", "caf_tax_id": 1,)"
                                             R"( "category_ref_code": "c", "workspace_ref_code": "w"}, {"name": "no ref"}])");
  EXPECT(report.find("\"failed\"") != std::string::npos && report.find("\"created\"") != std::string::npos);
  EXPECT(caffesta::version() == CAFFESTA_VERSION_STRING);

  std::printf("%s C++ wrapper (__cplusplus %ld): %s\n", failed ? "FAIL" : "ok  ", static_cast<long>(__cplusplus),
              failed ? "see above" : "every check passed");
  return failed ? 1 : 0;
}
