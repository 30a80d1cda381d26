/* caffesta.hpp — a header-only C++ face of libcaffesta, for till and back-office software.
 *
 *   #include <caffesta.hpp>
 *   caffesta::Client client("mycafe", api_key);          // throws caffesta::Error on bad input
 *   client.set_base_url("http://127.0.0.1:8765");         // the emulator
 *   std::string result = client.upsert_product(R"({"ref_code": "latte", "name": "Латте", "caf_tax_id": 1})");
 *
 * Lowest standard: C++11. Compiles with -Wall -Wextra -Werror -pedantic from C++11 to C++20.
 * Text parameters are caffesta::text: std::string_view from C++17 on, else a view made from a
 * const char* or a std::string; either way the wrapper copies it into a NUL-terminated string
 * for the C call and refuses a NUL byte inside (CAFFESTA_ERR_INVALID_ARGUMENT), which C would
 * otherwise cut short.
 *
 * Every failure throws caffesta::Error (a std::runtime_error) carrying the status, its name, the
 * HTTP status of the last answer and the library's message (which never holds the API key).
 * JSON goes in and comes out as text, as the C header has it: build it with a JSON library
 * (examples/cpp/sync.cpp uses nlohmann/json) rather than by concatenating strings. Strings the
 * library hands out are copied into std::string and freed at once; a Client frees its C client
 * when it goes out of scope (movable, not copyable). One Client may be shared by threads, as the
 * C client may. Every call of the C header stays reachable through Client::get().
 * Reference: docs/cpp.md and docs/api.md in the source tree.
 */
#ifndef CAFFESTA_HPP
#define CAFFESTA_HPP

#include <caffesta.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#if __cplusplus >= 201703L
#include <string_view>
#endif

namespace caffesta {

/* A status other than CAFFESTA_OK, with the library's message. */
class Error : public std::runtime_error {
 public:
  /* What the wrapper throws; public so a till's own tests can throw what a Client would:
   * caffesta::Error(CAFFESTA_ERR_NETWORK, "connect to https://mycafe.caffesta.com failed", 0).
   * what() becomes "CAFFESTA_ERR_NETWORK: connect to ..."; http_status 0 means no answer. */
  Error(caffesta_status status, const std::string &message, int http_status,
        caffesta_delivery delivery = CAFFESTA_NOT_SENT)
      : std::runtime_error(std::string(caffesta_status_name(status)) + ": " + message),
        status_(status), http_status_(http_status), delivery_(delivery), message_(message) {}
  caffesta_status status() const noexcept { return status_; }
  /* "CAFFESTA_ERR_API": static storage. */
  const char *status_name() const noexcept { return caffesta_status_name(status_); }
  /* The HTTP status of the last answer, 0 when there was none. */
  int http_status() const noexcept { return http_status_; }
  /* The library's message alone (what() adds the status name in front). */
  const std::string &message() const noexcept { return message_; }
  /* What became of the request (caffesta_delivery): a write that may have arrived must be
   * checked before it is sent again (docs/api.md, "Writes that may have arrived"). */
  caffesta_delivery delivery() const noexcept { return delivery_; }
  bool may_have_arrived() const noexcept { return delivery_ == CAFFESTA_MAY_HAVE_ARRIVED; }

 private:
  caffesta_status status_;
  int http_status_;
  caffesta_delivery delivery_;
  std::string message_;
};

#if __cplusplus >= 201703L
using text = std::string_view;
#else
/* A read-only view of caller text for C++11 and C++14: from a const char* or a std::string. */
class text {
 public:
  text(const char *s) : data_(s), size_(s ? std::char_traits<char>::length(s) : 0), null_(s == nullptr) {}
  text(const std::string &s) : data_(s.data()), size_(s.size()), null_(false) {}
  const char *data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool is_null() const noexcept { return null_; }

 private:
  const char *data_;
  std::size_t size_;
  bool null_;
};
#endif

namespace detail {

/* Throws the current thread's error of a failed call; must run right after it. */
inline void check(caffesta_status status) {
  if (status != CAFFESTA_OK) throw Error(status, caffesta_last_error(), caffesta_last_http_status(), caffesta_last_delivery());
}

/* The caller's text as a NUL-terminated copy; a NUL inside is refused before any request. */
inline std::string c_string(text value, const char *name) {
#if __cplusplus >= 201703L
  std::string copy(value);
#else
  if (value.is_null()) throw Error(CAFFESTA_ERR_INVALID_ARGUMENT, std::string(name) + " is NULL", 0);
  std::string copy(value.data(), value.size());
#endif
  if (copy.find('\0') != std::string::npos) {
    throw Error(CAFFESTA_ERR_INVALID_ARGUMENT, std::string(name) + " contains a NUL byte", 0);
  }
  return copy;
}

/* Copies a string the library handed out and frees it, whatever happens. */
inline std::string take(char *out) {
  struct Freer {
    char *s;
    ~Freer() { caffesta_string_free(s); }
  } freer = {out};
  return out ? std::string(out) : std::string();
}

}  // namespace detail

/* One Caffesta account's client. */
class Client {
 public:
  /* https://{account_name}.caffesta.com; Error (INVALID_ARGUMENT, NO_MEMORY) says why it failed. */
  Client(text account_name, text api_key) : client_(nullptr) {
    std::string account = detail::c_string(account_name, "account_name");
    std::string key = detail::c_string(api_key, "api_key");
    detail::check(caffesta_client_create(account.c_str(), key.c_str(), &client_));
  }
  ~Client() { caffesta_client_free(client_); }
  Client(Client &&other) noexcept : client_(other.client_) { other.client_ = nullptr; }
  Client &operator=(Client &&other) noexcept {
    if (this != &other) {
      caffesta_client_free(client_);
      client_ = other.client_;
      other.client_ = nullptr;
    }
    return *this;
  }
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;

  /* The C client, for any call this wrapper does not name. Null after a move. */
  caffesta_client *get() const noexcept { return client_; }

  // ---- settings (see caffesta.h) ----
  /* The server's root: "http://127.0.0.1:8765"; never ending in /a/v1.0. */
  void set_base_url(text url) {
    std::string c = detail::c_string(url, "base_url");
    detail::check(caffesta_client_set_base_url(handle(), c.c_str()));
  }
  /* connect_timeout_ms <= request_timeout_ms, or INVALID_ARGUMENT. */
  void set_timeouts(long connect_timeout_ms, long request_timeout_ms) {
    detail::check(caffesta_client_set_timeouts(handle(), connect_timeout_ms, request_timeout_ms));
  }
  void set_max_retries(int max_retries) { detail::check(caffesta_client_set_max_retries(handle(), max_retries)); }
  void set_ca_file(text pem_file) {
    std::string c = detail::c_string(pem_file, "ca_file");
    detail::check(caffesta_client_set_ca_file(handle(), c.c_str()));
  }
  /* The proxy for every request, whatever the environment says: "http://[user:password@]host:port"
   * (also https://, socks4://, socks4a://, socks5://, socks5h://), or "direct" for none at all.
   * Error (INVALID_ARGUMENT) for anything else. */
  void set_proxy(text proxy) {
    std::string c = detail::c_string(proxy, "proxy");
    detail::check(caffesta_client_set_proxy(handle(), c.c_str()));
  }
  /* Back to libcurl's proxy variables (https_proxy, http_proxy, all_proxy, no_proxy): the default. */
  void use_environment_proxy() { detail::check(caffesta_client_set_proxy(handle(), nullptr)); }
  /* The path delivery orders are posted to: "/a/v1.1/draft/receipts" (the default, made at once)
   * or "/a/v1.0/draft/receipts" (answered with a job to poll). No query. */
  void set_order_path(text path) {
    std::string c = detail::c_string(path, "order_path");
    detail::check(caffesta_client_set_order_path(handle(), c.c_str()));
  }

  // ---- calls: JSON text in, JSON text out (the answer's payload; docs/api.md) ----
  void auth_test() { detail::check(caffesta_auth_test(handle())); }

  /* {"id", "ref_code", "action": "created"|"updated"} */
  std::string upsert_product(text product_json) {
    std::string body = detail::c_string(product_json, "product_json");
    char *out = nullptr;
    detail::check(caffesta_product_upsert(handle(), body.c_str(), &out));
    return detail::take(out);
  }

  /* The report, one entry per product in input order; failed items are in it, never thrown.
   * After caffesta_client_cancel(client.get()) the report comes back too: the products it kept
   * from being sent have "action": "cancelled". */
  std::string upsert_products(text products_json_array, int concurrency = 8) {
    std::string body = detail::c_string(products_json_array, "products_json_array");
    char *out = nullptr;
    caffesta_status status = caffesta_products_upsert_many(handle(), body.c_str(), concurrency, &out);
    if ((status == CAFFESTA_ERR_PARTIAL || status == CAFFESTA_ERR_CANCELLED) && out) return detail::take(out);
    detail::check(status);
    return detail::take(out);
  }

  /* Any call: the whole answer body. body_json empty: no body. */
  std::string request(text method, text path, text body_json = text("")) {
    std::string m = detail::c_string(method, "method");
    std::string p = detail::c_string(path, "path");
    std::string b = detail::c_string(body_json, "body_json");
    char *out = nullptr;
    detail::check(caffesta_request(handle(), m.c_str(), p.c_str(), b.empty() ? nullptr : b.c_str(), &out));
    return detail::take(out);
  }

  /* [{"id", "name", "label", "position"}] */
  std::string list_storages() { return json_call(caffesta_storages_list); }
  /* [{"id", "name", "measure", "cost", "summ", "balance"}]: Caffesta product ids, numbers as strings. */
  std::string storage_stock(long long storage_id) {
    char *out = nullptr;
    detail::check(caffesta_storage_stock(handle(), storage_id, &out));
    return detail::take(out);
  }

  /* A new invoice, NOT wired: call wire_invoice() for its stock to arrive. Returns its id. */
  long long create_invoice(text invoice_json) {
    std::string body = detail::c_string(invoice_json, "invoice_json");
    long long id = 0;
    detail::check(caffesta_invoice_create(handle(), body.c_str(), &id));
    return id;
  }
  void wire_invoice(long long invoice_id) { detail::check(caffesta_invoice_wire(handle(), invoice_id)); }
  void unwire_invoice(long long invoice_id) { detail::check(caffesta_invoice_unwire(handle(), invoice_id)); }
  std::string get_invoice(long long invoice_id) {
    char *out = nullptr;
    detail::check(caffesta_invoice_get(handle(), invoice_id, &out));
    return detail::take(out);
  }

  /* Product by ref_code; Error NOT_FOUND when there is none. */
  std::string get_product(text ref_code) {
    std::string ref = detail::c_string(ref_code, "ref_code");
    char *out = nullptr;
    detail::check(caffesta_product_get(handle(), ref.c_str(), &out));
    return detail::take(out);
  }

  // ---- delivery orders ----
  /* Sends {"bill": {...}}. Returns {"job_id": null, "status": "success", "uuid": "..."} when the
   * server made it at once (the default path), or {"job_id": N, "status": "pending", "uuid": null}
   * for a job; pass either to wait_for_order(). Error API when the server answers "failed" (its
   * reason is the message). Not idempotent: never resent once it may have reached the server. */
  std::string submit_order(text order_json) {
    std::string body = detail::c_string(order_json, "order_json");
    char *out = nullptr;
    detail::check(caffesta_order_submit(handle(), body.c_str(), &out));
    return detail::take(out);
  }
  /* Waits for submit_order()'s result: one made at once comes back without a request, a job is
   * polled. Returns {"job_id", "status": "success", "uuid"}. Error API when the job failed,
   * TIMEOUT when it is still pending after timeout_ms. */
  std::string wait_for_order(text submitted_json, long timeout_ms = 60000) {
    std::string body = detail::c_string(submitted_json, "submitted_json");
    char *out = nullptr;
    detail::check(caffesta_order_wait_submitted(handle(), body.c_str(), timeout_ms, &out));
    return detail::take(out);
  }
  /* Polls a job id (create_order()'s): the final job, {"job_id", "status", "message": UUID}. */
  std::string wait_for_order(long long job_id, long timeout_ms = 60000) {
    char *out = nullptr;
    detail::check(caffesta_order_wait(handle(), job_id, timeout_ms, &out));
    return detail::take(out);
  }
  /* The older form of submit_order(): the job id to poll, 0 when the order was made at once. */
  long long create_order(text order_json) {
    std::string body = detail::c_string(order_json, "order_json");
    long long job_id = 0;
    detail::check(caffesta_order_create(handle(), body.c_str(), &job_id));
    return job_id;
  }
  /* {"job_id", "status": "pending"|"success"|"failed", "message"} */
  std::string get_order_job_status(long long job_id) {
    char *out = nullptr;
    detail::check(caffesta_order_job_status(handle(), job_id, &out));
    return detail::take(out);
  }
  /* The receipts of an order, by its UUID: a JSON array. */
  std::string get_receipt_info(text order_uuid) {
    std::string uuid = detail::c_string(order_uuid, "order_uuid");
    char *out = nullptr;
    detail::check(caffesta_receipt_info(handle(), uuid.c_str(), &out));
    return detail::take(out);
  }

  /* One Unix timestamp per section of a POS's update feeds. */
  std::string updates(long long pos_id) {
    char *out = nullptr;
    detail::check(caffesta_updates_get(handle(), pos_id, &out));
    return detail::take(out);
  }

 private:
  caffesta_client *handle() const {
    if (!client_) throw Error(CAFFESTA_ERR_INVALID_ARGUMENT, "the client was moved from", 0);
    return client_;
  }
  std::string json_call(caffesta_status (*function)(caffesta_client *, char **)) {
    char *out = nullptr;
    detail::check(function(handle(), &out));
    return detail::take(out);
  }

  caffesta_client *client_;
};

/* The library's version at run time, "1.0.0". */
inline std::string version() { return caffesta_version(); }

}  // namespace caffesta

#endif /* CAFFESTA_HPP */
