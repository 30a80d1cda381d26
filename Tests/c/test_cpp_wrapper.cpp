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

/* The text after "key":" up to the next quote, or "" (the answers are compact JSON). */
static std::string string_field(const std::string &json, const std::string &key) {
  const std::string start = "\"" + key + "\":\"";
  std::string::size_type at = json.find(start);
  if (at == std::string::npos) return std::string();
  at += start.size();
  return json.substr(at, json.find('"', at) - at);
}

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

  // Delivery orders: the default v1.1 path makes the order at once; waiting needs no request.
  const std::string order = R"({"bill": {"pos_id": 2, "app_id": 26, "delivery_type": 2, "total_sum": 1.5,)"
                            R"( "payments": [{"payment_id": 2, "value": 1.5}],)"
                            R"( "items": [{"count": 1, "total_sum": 1.5, "product_id": 3}]}})";
  std::string made = client.submit_order(order);
  EXPECT(string_field(made, "status") == "success");
  const std::string uuid = string_field(made, "uuid");
  EXPECT(uuid.size() == 36);
  EXPECT(string_field(client.wait_for_order(made, 5000), "uuid") == uuid);
  EXPECT(client.get_receipt_info(uuid).find(uuid) != std::string::npos);
  // A refused order throws API with the emulator's reason, naming the field.
  try {
    client.submit_order(R"({"bill": {"pos_id": 2, "app_id": 26, "delivery_type": 2, "total_sum": 1,)"
                        R"( "items": [{"count": 1, "total_sum": 1, "product_id": 424242}]}})");
    EXPECT(!"no exception");
  } catch (const caffesta::Error &e) {
    EXPECT(e.status() == CAFFESTA_ERR_API);
    EXPECT(e.message().find("bill.items[0].product_id") != std::string::npos);
  }
  // The v1.0 path answers with a job: wait on the submitted result, or on create_order()'s id.
  client.set_order_path("/a/v1.0/draft/receipts");
  std::string pending = client.submit_order(order);
  EXPECT(string_field(pending, "status") == "pending");
  std::string waited = client.wait_for_order(pending, 10000);
  EXPECT(string_field(waited, "status") == "success" && string_field(waited, "uuid").size() == 36);
  long long job = client.create_order(order);
  EXPECT(job > 0);
  EXPECT(client.get_order_job_status(job).find("\"status\":") != std::string::npos);
  std::string done = client.wait_for_order(job, 10000);
  EXPECT(string_field(done, "status") == "success" && string_field(done, "message").size() == 36);
  try {
    client.set_order_path("/a/v1.0/draft/receipts?x=1");
    EXPECT(!"no exception");
  } catch (const caffesta::Error &e) {
    EXPECT(e.status() == CAFFESTA_ERR_INVALID_ARGUMENT);
  }
  client.set_order_path("/a/v1.1/draft/receipts");

  // A proxy set on the client wins over the environment; "direct" is none; the message names the
  // proxy without its password. Nothing listens on 127.0.0.1:1, so the proxy cannot be reached.
  client.set_proxy(std::string("http://till:s3cret@127.0.0.1:1"));
  try {
    client.auth_test();
    EXPECT(!"no exception");
  } catch (const caffesta::Error &e) {
    EXPECT(e.status() == CAFFESTA_ERR_PROXY);
    EXPECT(e.delivery() == CAFFESTA_NOT_SENT && !e.may_have_arrived());  // nothing reached the server
    EXPECT(e.message().find("127.0.0.1:1") != std::string::npos);
    EXPECT(e.message().find("s3cret") == std::string::npos);
  }
  client.set_proxy("direct");
  client.auth_test();
  try {
    client.set_proxy("ftp://127.0.0.1:21");
    EXPECT(!"no exception");
  } catch (const caffesta::Error &e) {
    EXPECT(e.status() == CAFFESTA_ERR_INVALID_ARGUMENT);
    EXPECT(e.message().find("proxy") != std::string::npos);
  }
  client.use_environment_proxy();
  client.auth_test();

  // A till's own tests may throw the error a Client would.
  caffesta::Error fake(CAFFESTA_ERR_NETWORK, "connect failed", 0);
  EXPECT(std::string(fake.what()) == "CAFFESTA_ERR_NETWORK: connect failed");
  EXPECT(fake.status() == CAFFESTA_ERR_NETWORK && fake.http_status() == 0 && fake.message() == "connect failed");
  caffesta::Error cut(CAFFESTA_ERR_NETWORK, "closed before any answer", 0, CAFFESTA_MAY_HAVE_ARRIVED);
  EXPECT(cut.may_have_arrived() && !fake.may_have_arrived());

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

  // Every call of the header has its method (generated from api/calls.toml): the feeds a till
  // reads, the reference lists, the sales exports with and without grouping, the request log,
  // the bulk progress and cancel.
  EXPECT(moved.get_products_page(2).find("\"next_start_id\"") != std::string::npos);
  EXPECT(moved.get_all_products(2, 0).find("\"id\"") != std::string::npos);
  EXPECT(moved.get_balances(2).find("\"product_id\"") != std::string::npos);
  EXPECT(moved.get_product_shop_data(2).find("\"shop_id\"") != std::string::npos);
  EXPECT(moved.get_clients().front() == '[');
  EXPECT(moved.get_categories().front() == '[' && moved.get_workspaces().front() == '[');
  EXPECT(moved.get_taxes().front() == '[' && moved.get_modifier_groups().front() == '[');
  EXPECT(moved.sync_changes(2).find("\"timestamps\"") != std::string::npos);
  EXPECT(moved.get_sales_by_product(nullptr, nullptr, "2022-04-20").front() == '[');
  EXPECT(moved.get_sales_by_pos("2022-04-20", std::string("2022-04-21"), nullptr, "terminal_id").front() == '[');
  EXPECT(moved.get_receipts_by_shift_day(2, "2022-04-20").front() == '[');
  EXPECT(moved.list_invoices("2018-06-01").front() == '[');
  try {
    moved.get_sales_by_product("2022-04-20", nullptr, "2022-04-20");  // both forms: refused before any request
    EXPECT(!"no exception");
  } catch (const caffesta::Error &e) {
    EXPECT(e.status() == CAFFESTA_ERR_INVALID_ARGUMENT);
  }
  struct Seen {
    int events = 0, progress = 0;
  } seen;
  moved.set_log([](void *user_data, const char *event_json) {
    if (std::string(event_json).find("\"attempt\"") != std::string::npos) static_cast<Seen *>(user_data)->events++;
  }, &seen);
  moved.set_progress([](void *user_data, std::size_t, std::size_t) { static_cast<Seen *>(user_data)->progress++; }, &seen);
  moved.upsert_products(R"([{"ref_code": "cpp-3", "name": "Мокко", "caf_tax_id": 1}])");
  EXPECT(seen.events >= 1 && seen.progress == 1);
  moved.set_log(nullptr, nullptr);
  moved.set_progress(nullptr, nullptr);
  moved.auth_test();
  EXPECT(seen.events >= 1 && seen.progress == 1);
  // cancel() while no call runs stops nothing: later calls run (async-signal-safe, noexcept).
  moved.cancel();
  moved.auth_test();
  client.cancel();  // a moved-from client: a no-op
  static_assert(noexcept(moved.cancel()), "cancel() is callable from a signal handler");

  std::printf("%s C++ wrapper (__cplusplus %ld): %s\n", failed ? "FAIL" : "ok  ", static_cast<long>(__cplusplus),
              failed ? "see above" : "every check passed");
  return failed ? 1 : 0;
}
