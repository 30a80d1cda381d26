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

/* Optional text, for parameters that C lets be NULL: nullptr (or a null const char *) for none,
 * else text as above, copied. */
class optional_text {
 public:
  optional_text(std::nullptr_t) : set_(false) {}
  optional_text(const char *s) : set_(s != nullptr), value_(s ? s : "") {}
  optional_text(const std::string &s) : set_(true), value_(s) {}
#if __cplusplus >= 201703L
  optional_text(std::string_view s) : set_(true), value_(s) {}
#else
  optional_text(const text &s) : set_(!s.is_null()), value_(s.is_null() ? std::string() : std::string(s.data(), s.size())) {}
#endif
  bool has_value() const noexcept { return set_; }
  const std::string &value() const noexcept { return value_; }

 private:
  bool set_;
  std::string value_;
};

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

/* A text argument as C takes it: a NUL-terminated copy that lives until the call's end (a
 * temporary of the call's full expression); a NUL inside is refused before any request. */
struct c_text {
  std::string copy;
  operator const char *() const noexcept { return copy.c_str(); }
};
inline c_text arg(text value, const char *name) { return c_text{c_string(value, name)}; }
/* Optional text as C takes it: NULL for none, else its own copy's (it lives through the call). */
inline const char *arg(const optional_text &value, const char *name) {
  if (!value.has_value()) return nullptr;
  if (value.value().find('\0') != std::string::npos) {
    throw Error(CAFFESTA_ERR_INVALID_ARGUMENT, std::string(name) + " contains a NUL byte", 0);
  }
  return value.value().c_str();
}

/* A call's result: the status checked (the exception of a failure), then the output read; a JSON
 * text is copied and freed. */
inline std::string result(caffesta_status status, char **out) {
  check(status);
  return take(*out);
}
inline long long result(caffesta_status status, long long *out) {
  check(status);
  return *out;
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

  /* Back to libcurl's proxy variables (https_proxy, http_proxy, all_proxy, no_proxy): the default;
   * the same as set_proxy(nullptr). */
  void use_environment_proxy() { detail::check(caffesta_client_set_proxy(handle(), nullptr)); }

  /* The report, one entry per product in input order; failed items are in it, never thrown.
   * After cancel() the report comes back too: the products it kept from being sent have
   * "action": "cancelled". */
  std::string upsert_products(text products_json_array, int concurrency = 8) {
    std::string body = detail::c_string(products_json_array, "products_json_array");
    char *out = nullptr;
    caffesta_status status = caffesta_products_upsert_many(handle(), body.c_str(), concurrency, &out);
    if ((status == CAFFESTA_ERR_PARTIAL || status == CAFFESTA_ERR_CANCELLED) && out) return detail::take(out);
    detail::check(status);
    return detail::take(out);
  }

  /* The progress callback of this client's bulk calls (caffesta_client_set_progress): called on the
   * thread that runs upsert_products() after each finished item; nullptr turns it off. */
  void set_progress(caffesta_progress_fn callback, void *user_data) {
    detail::check(caffesta_client_set_progress(handle(), callback, user_data));
  }

  /* Any call: the whole answer body. body_json empty: no body. */
  std::string request(text method, text path, text body_json = text("")) {
    detail::c_text m = detail::arg(method, "method"), p = detail::arg(path, "path"), b = detail::arg(body_json, "body_json");
    char *out = nullptr;
    return detail::result(caffesta_request(handle(), m, p, b.copy.empty() ? nullptr : b.copy.c_str(), &out), &out);
  }

  /* Stops the calls running on this client (caffesta_client_cancel): a bulk call sends no further
   * item, other calls end at their next retry decision with CANCELLED. Async-signal-safe and
   * noexcept: callable from any thread and from a signal handler (SIGINT). A moved-from client: no-op. */
  void cancel() noexcept { caffesta_client_cancel(client_); }

  /* The request log (caffesta_client_set_log): callback(user_data, event_json) once per attempt, on
   * the thread that runs the call; event_json is valid only during the callback. nullptr turns it
   * off. A C callback: a lambda without captures converts to one, and user_data carries the state. */
  void set_log(caffesta_log_fn callback, void *user_data) {
    detail::check(caffesta_client_set_log(handle(), callback, user_data));
  }

  // The plain calls: JSON text in, JSON text out (the answer's payload; docs/api.md). Each throws
  // caffesta::Error: INVALID_ARGUMENT before any request, else the failed request's status.
  // ---- generated by scripts/calls.py from api/calls.toml: edit those (begin) ----

  // ---- Client
  /* The server's root instead of https://{account_name}.caffesta.com (the emulator, a staging
   * host): http:// or https://, never ending in /a/v1.0. */
  void set_base_url(text base_url) {
    detail::check(caffesta_client_set_base_url(handle(), detail::arg(base_url, "base_url")));
  }
  /* The connect timeout and the deadline of a whole call (all retries included), in ms; a connect
   * timeout larger than the call's is refused. */
  void set_timeouts(long connect_timeout_ms, long request_timeout_ms) {
    detail::check(caffesta_client_set_timeouts(handle(), connect_timeout_ms, request_timeout_ms));
  }
  /* How many times a failed request is retried (0 to 10); only what is safe to resend is retried. */
  void set_max_retries(int max_retries) {
    detail::check(caffesta_client_set_max_retries(handle(), max_retries));
  }
  /* A PEM file of CA certificates to trust instead of the system's; NULL goes back to the system's. */
  void set_ca_file(optional_text ca_file) {
    detail::check(caffesta_client_set_ca_file(handle(), detail::arg(ca_file, "ca_file")));
  }
  /* The largest answer accepted, in bytes (1 KiB to 4 GiB; default 64 MiB); a larger one is
   * PROTOCOL. */
  void set_max_response_size(long long max_bytes) {
    detail::check(caffesta_client_set_max_response_size(handle(), max_bytes));
  }
  /* The proxy for every request ("http://host:3128"), or "direct" for none whatever the environment
   * says; NULL goes back to libcurl's proxy variables (https_proxy, no_proxy, ...). */
  void set_proxy(optional_text proxy) {
    detail::check(caffesta_client_set_proxy(handle(), detail::arg(proxy, "proxy")));
  }

  // ---- Calls
  /* Checks the API key; UNAUTHORIZED if it is wrong. */
  void auth_test() { detail::check(caffesta_auth_test(handle())); }
  /* Creates the product, or updates the one Caffesta holds with the same ref_code. */
  std::string upsert_product(text product_json) {
    char *out = nullptr;
    return detail::result(caffesta_product_upsert(handle(), detail::arg(product_json, "product_json"),
                                                  &out), &out);
  }

  // ---- Storages
  /* The account's storages, ordered by their position in the answer: [{"id": 7, "name": "Общий
   * склад", "label": "(id:7) Общий склад", "position": 2}]. */
  std::string list_storages() {
    char *out = nullptr;
    return detail::result(caffesta_storages_list(handle(), &out), &out);
  }
  /* The stock on one storage: [{id, name, measure, cost, summ, balance}], Caffesta product ids, the
   * numbers as strings ("0.245614", "-3.000") as the API sends them. NOT_FOUND for an unknown
   * storage. */
  std::string storage_stock(long long storage_id) {
    char *out = nullptr;
    return detail::result(caffesta_storage_stock(handle(), storage_id, &out), &out);
  }

  // ---- Incoming invoices and moves
  /* Creates an incoming invoice, NOT wired (no stock moves until wire_invoice()), and returns its
   * id. */
  long long create_invoice(text invoice_json) {
    long long out = 0;
    return detail::result(caffesta_invoice_create(handle(), detail::arg(invoice_json, "invoice_json"),
                                                  &out), &out);
  }
  /* Posts (wires) an invoice: its stock arrives on the storage. */
  void wire_invoice(long long invoice_id) { detail::check(caffesta_invoice_wire(handle(), invoice_id)); }
  /* Unposts (unwires) an invoice: its stock leaves the storage again. */
  void unwire_invoice(long long invoice_id) { detail::check(caffesta_invoice_unwire(handle(), invoice_id)); }
  /* The invoices dated on or after a day ("YYYY-MM-DD" or a date), as summaries without items:
   * [{id, name, total_amount, total_wo_nds, total_nds_sum, type, shipper, created_at, created_by,
   * updated_at, updated_by, storage, status, finished, doc_date, paid}]. status is "wired" or
   * "not_wired" ("unwired" in older answers means "not_wired"). */
  std::string list_invoices(text start_date) {
    char *out = nullptr;
    return detail::result(caffesta_invoices_list(handle(), detail::arg(start_date, "start_date"),
                                                 &out), &out);
  }
  /* One invoice with its items, products, packages (deleted, hidden), shipper (ref_code), storage,
   * updated_by and status "wired" or "not_wired" ("unwired", the older word, means the same).
   * NOT_FOUND for an unknown id. */
  std::string get_invoice(long long invoice_id) {
    char *out = nullptr;
    return detail::result(caffesta_invoice_get(handle(), invoice_id, &out), &out);
  }
  /* Creates a move between storages, NOT wired, and returns its id: {comment?, date, storage_from
   * {caf_id}, storage_to {caf_id}, items [{amount, product_code}]}; a date as for create_invoice(). */
  long long create_move(text move_json) {
    long long out = 0;
    return detail::result(caffesta_move_create(handle(), detail::arg(move_json, "move_json"), &out), &out);
  }
  /* Posts (wires) a move: the stock goes from one storage to the other. */
  void wire_move(long long move_id) { detail::check(caffesta_move_wire(handle(), move_id)); }
  /* Unposts (unwires) a move. */
  void unwire_move(long long move_id) { detail::check(caffesta_move_unwire(handle(), move_id)); }

  // ---- Products
  /* Reads a product by ref_code: {id, ref_code, name, measure, category {id}, ...}. NOT_FOUND if
   * there is none. */
  std::string get_product(text ref_code) {
    char *out = nullptr;
    return detail::result(caffesta_product_get(handle(), detail::arg(ref_code, "ref_code"), &out), &out);
  }
  /* Writes the given fields of the product with this Caffesta id; returns the answer's data.
   * NOT_FOUND if there is no such product. */
  std::string update_product(long long product_id, text product_json) {
    char *out = nullptr;
    return detail::result(caffesta_product_update(handle(), product_id,
                                                  detail::arg(product_json, "product_json"), &out), &out);
  }
  /* Writes the given fields of the product with this ref_code (sent percent-encoded as one path
   * segment); returns the answer's data. NOT_FOUND if there is no such product. */
  std::string update_product_by_ref_code(text ref_code, text product_json) {
    char *out = nullptr;
    return detail::result(caffesta_product_update_by_ref_code(handle(), detail::arg(ref_code, "ref_code"),
                                                              detail::arg(product_json, "product_json"),
                                                              &out), &out);
  }
  /* Imports the WHOLE menu: every product the body does not list is REMOVED from the menu
   * ({update_balances, categories, menus, taxes, shops, items [{id, ..., prices [{shop_id, value,
   * value_day}]}]}: in prices, value is the COST and value_day the RETAIL price). */
  std::string import_menu(text menu_json) {
    char *out = nullptr;
    return detail::result(caffesta_menu_import(handle(), detail::arg(menu_json, "menu_json"), &out), &out);
  }
  /* Imports part of the menu: adds and updates the listed items, removes nothing (the body of
   * import_menu()). */
  std::string import_menu_part(text menu_json) {
    char *out = nullptr;
    return detail::result(caffesta_menu_import_part(handle(), detail::arg(menu_json, "menu_json"),
                                                    &out), &out);
  }

  // ---- Delivery orders
  /* The path delivery orders are posted to: "/a/v1.1/draft/receipts" (the default, made at once) or
   * "/a/v1.0/draft/receipts" (answered with a job to poll). */
  void set_order_path(text path) {
    detail::check(caffesta_client_set_order_path(handle(), detail::arg(path, "path")));
  }
  /* Sends a delivery order ({"bill": {...}}; no negative counts or sums). API when the server
   * answers status "failed" (its reason is the message). */
  std::string submit_order(text order_json) {
    char *out = nullptr;
    return detail::result(caffesta_order_submit(handle(), detail::arg(order_json, "order_json"), &out), &out);
  }
  /* Waits for submit_order()'s result: an order made at once comes back without a request, a
   * pending job is polled; returns {"job_id", "status": "success", "uuid"}. API when the job
   * failed, TIMEOUT when it is still pending after the timeout. */
  std::string wait_for_order(text submitted_json, long timeout_ms = 60000) {
    char *out = nullptr;
    return detail::result(caffesta_order_wait_submitted(handle(),
                                                        detail::arg(submitted_json, "submitted_json"),
                                                        timeout_ms, &out), &out);
  }
  /* The older form of submit_order(): returns the id of the job to poll, or 0 when the server made
   * the order at once (its UUID is then only in submit_order()'s result). */
  long long create_order(text order_json) {
    long long out = 0;
    return detail::result(caffesta_order_create(handle(), detail::arg(order_json, "order_json"), &out), &out);
  }
  /* The job's state, once: {"job_id", "status": "pending" | "success" | "failed", "message"};
   * message is the order's UUID on success, the reason on failure. */
  std::string get_order_job_status(long long job_id) {
    char *out = nullptr;
    return detail::result(caffesta_order_job_status(handle(), job_id, &out), &out);
  }
  /* Polls a job (the older create_order()'s id) with backoff until it ends; returns the final job,
   * whose message is the order's UUID. API when the job failed, TIMEOUT when it is still pending
   * after the timeout. */
  std::string wait_for_order(long long job_id, long timeout_ms = 60000) {
    char *out = nullptr;
    return detail::result(caffesta_order_wait(handle(), job_id, timeout_ms, &out), &out);
  }
  /* The receipts of an order, by the UUID a successful job gives: a list. */
  std::string get_receipt_info(text order_uuid) {
    char *out = nullptr;
    return detail::result(caffesta_receipt_info(handle(), detail::arg(order_uuid, "order_uuid"), &out), &out);
  }

  // ---- Update feeds
  /* One Unix timestamp per section of a POS's update feeds: {"categories", "menus", "products",
   * "balances", "clients", ...}. */
  std::string updates(long long pos_id) {
    char *out = nullptr;
    return detail::result(caffesta_updates_get(handle(), pos_id, &out), &out);
  }
  /* One keyset page of the products changed since ts: {"items": [...], "next_start_id": id | null}. */
  std::string get_products_page(long long pos_id, long long start_id = 0, long long ts = 0) {
    char *out = nullptr;
    return detail::result(caffesta_products_page(handle(), pos_id, start_id, ts, &out), &out);
  }
  /* Every product changed since ts, all pages followed, in one list (deleted ones only when ts !=
   * 0); for a large catalog the page iterators hold one page at a time. */
  std::string get_all_products(long long pos_id, long long ts = 0) {
    char *out = nullptr;
    return detail::result(caffesta_products_all(handle(), pos_id, ts, &out), &out);
  }
  /* Stock balances changed since ts, by Caffesta product id. */
  std::string get_balances(long long pos_id, long long ts = 0) {
    char *out = nullptr;
    return detail::result(caffesta_balances_get(handle(), pos_id, ts, &out), &out);
  }
  /* Loyalty clients changed since ts. */
  std::string get_clients(long long ts = 0) {
    char *out = nullptr;
    return detail::result(caffesta_clients_get(handle(), ts, &out), &out);
  }
  /* Per-shop price, stop list and availability changed since ts: [{price, avgInvoicedSelfCost,
   * availableForSale, inStopList, shop_id, product_id}]. */
  std::string get_product_shop_data(long long pos_id, long long ts = 0) {
    char *out = nullptr;
    return detail::result(caffesta_product_shop_data_get(handle(), pos_id, ts, &out), &out);
  }
  /* The categories: a reference list. */
  std::string get_categories() {
    char *out = nullptr;
    return detail::result(caffesta_categories_get(handle(), &out), &out);
  }
  /* The workspaces (kitchen departments): a reference list. */
  std::string get_workspaces() {
    char *out = nullptr;
    return detail::result(caffesta_workspaces_get(handle(), &out), &out);
  }
  /* The taxes: a reference list. */
  std::string get_taxes() {
    char *out = nullptr;
    return detail::result(caffesta_taxes_get(handle(), &out), &out);
  }
  /* The modifier groups: a reference list. */
  std::string get_modifier_groups() {
    char *out = nullptr;
    return detail::result(caffesta_modifier_groups_get(handle(), &out), &out);
  }
  /* Fetches only what changed since the last sync. known is the "timestamps" of the previous result
   * ({} the first time). */
  std::string sync_changes(long long pos_id, text known_json = "{}") {
    char *out = nullptr;
    return detail::result(caffesta_sync_changes(handle(), pos_id, detail::arg(known_json, "known_json"),
                                                &out), &out);
  }

  // ---- Sales exports
  /* Sales grouped by POS, price and product (the grouped call without add_gr_by). */
  std::string get_sales_by_product(optional_text start, optional_text end, optional_text shift_day) {
    char *out = nullptr;
    return detail::result(caffesta_sales_by_product(handle(), detail::arg(start, "start"),
                                                    detail::arg(end, "end"),
                                                    detail::arg(shift_day, "shift_day"), &out), &out);
  }
  /* Sales grouped by POS (the grouped call without add_gr_by). */
  std::string get_sales_by_pos(optional_text start, optional_text end, optional_text shift_day) {
    char *out = nullptr;
    return detail::result(caffesta_sales_by_pos(handle(), detail::arg(start, "start"),
                                                detail::arg(end, "end"), detail::arg(shift_day, "shift_day"),
                                                &out), &out);
  }
  /* Sales grouped by POS, price and product: [{caf_terminal_id, caf_id, name, ref_code, price, qnt,
   * deleted, cash, card, cashless, bonus, credit, total_pay}] (values as strings). */
  std::string get_sales_by_product(optional_text start, optional_text end, optional_text shift_day, optional_text add_gr_by) {
    char *out = nullptr;
    return detail::result(caffesta_sales_by_product_grouped(handle(), detail::arg(start, "start"),
                                                            detail::arg(end, "end"),
                                                            detail::arg(shift_day, "shift_day"),
                                                            detail::arg(add_gr_by, "add_gr_by"), &out), &out);
  }
  /* Sales grouped by POS: [{qnt, caf_terminal_id (null possible), cafe_workspace_id, cash, card,
   * cashless, credit, discount, total_pay}]; the arguments of get_sales_by_product(). */
  std::string get_sales_by_pos(optional_text start, optional_text end, optional_text shift_day, optional_text add_gr_by) {
    char *out = nullptr;
    return detail::result(caffesta_sales_by_pos_grouped(handle(), detail::arg(start, "start"),
                                                        detail::arg(end, "end"),
                                                        detail::arg(shift_day, "shift_day"),
                                                        detail::arg(add_gr_by, "add_gr_by"), &out), &out);
  }
  /* Every receipt of one shift day ("YYYY-MM-DD" or a date) of one terminal, ungrouped: [{id,
   * terminal_number, type, income (1 or -1), ..., bill_dishes [{id, parent_id, count, weight, dish
   * {ref_code, ...}, ...}]}]; receipts carry no client. */
  std::string get_receipts_by_shift_day(long long terminal_id, text date) {
    char *out = nullptr;
    return detail::result(caffesta_receipts_by_shift_day(handle(), terminal_id, detail::arg(date, "date"),
                                                         &out), &out);
  }

  // ---- generated by scripts/calls.py from api/calls.toml: edit those (end) ----

 private:
  caffesta_client *handle() const {
    if (!client_) throw Error(CAFFESTA_ERR_INVALID_ARGUMENT, "the client was moved from", 0);
    return client_;
  }
  caffesta_client *client_;
};

/* The library's version at run time, "1.1.0". */
inline std::string version() { return caffesta_version(); }

}  // namespace caffesta

#endif /* CAFFESTA_HPP */
