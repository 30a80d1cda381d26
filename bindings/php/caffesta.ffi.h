#define FFI_SCOPE "caffesta"
#define FFI_LIB "libcaffesta.so.1"
/* libcaffesta's FFI declarations, cut from include/caffesta.h by bindings/php/bin/ffi-header.php.
 * For php.ini: ffi.preload=<this file>. For a library elsewhere than the system loader finds it:
 *   php bindings/php/bin/ffi-header.php /path/to/libcaffesta.so.1 > caffesta-ffi.h */
/* ---- FFI declarations begin (do not edit: generated) ---- */

typedef struct caffesta_client caffesta_client; /* opaque */

typedef enum caffesta_status {
  CAFFESTA_OK = 0,
  CAFFESTA_ERR_INVALID_ARGUMENT = 1, /* NULL, bad UTF-8, bad JSON, missing ref_code, bad account name or key */
  CAFFESTA_ERR_NETWORK = 2,          /* DNS, connect, connection reset or closed mid-answer */
  CAFFESTA_ERR_TIMEOUT = 3,          /* connect or request timeout */
  CAFFESTA_ERR_TLS = 4,              /* TLS handshake or certificate verification */
  CAFFESTA_ERR_UNAUTHORIZED = 5,     /* HTTP 401, 403: wrong API key */
  CAFFESTA_ERR_NOT_FOUND = 6,        /* HTTP 404 */
  CAFFESTA_ERR_RATE_LIMITED = 7,     /* HTTP 429, after retries */
  CAFFESTA_ERR_SERVER = 8,           /* HTTP 5xx, after retries */
  CAFFESTA_ERR_API = 9,              /* an answer whose body says error (success:false or data.error) */
  CAFFESTA_ERR_PROTOCOL = 10,        /* the answer is not the JSON it should be, or too large */
  CAFFESTA_ERR_HTTP = 11,            /* any other HTTP status */
  CAFFESTA_ERR_NO_MEMORY = 12,
  CAFFESTA_ERR_INTERNAL = 13,
  CAFFESTA_ERR_PARTIAL = 14          /* a bulk call in which some items failed; the report says which */
} caffesta_status;

/* Progress of a bulk call: called on the caller's thread after each finished item. */
typedef void (*caffesta_progress_fn)(void *user_data, size_t done, size_t total);

/* ---- Client ---- */

/* Creates a client for https://{account_name}.caffesta.com.
 *   account_name  a DNS label: letters, digits and '-', 1 to 63 characters.
 *   api_key       the account's API key: printable ASCII, no spaces, 1 to 256 characters.
 * Returns NULL on error (the reason is in caffesta_last_error()). Free with caffesta_client_free().
 * Defaults: connect timeout 10 s, whole call 60 s, 2 retries, answers up to 64 MiB. */
caffesta_client *caffesta_client_new(const char *account_name, const char *api_key);

/* Frees the client and closes its connections. NULL: no-op. */
void caffesta_client_free(caffesta_client *client);

/* Replaces the base URL, for the emulator, a staging host or a proxy: "http://127.0.0.1:8080".
 * Only http:// and https:// with a host and an optional port and path prefix; no query,
 * fragment or user info. The API key goes wherever this points: set it on purpose only.
 * Statuses: INVALID_ARGUMENT. Safe to call while other threads use the client. */
caffesta_status caffesta_client_set_base_url(caffesta_client *client, const char *base_url);

/* Sets the connect timeout and the deadline of a whole call (all retries included), in ms.
 * Both must be positive and connect_timeout_ms <= request_timeout_ms. Statuses: INVALID_ARGUMENT. */
caffesta_status caffesta_client_set_timeouts(caffesta_client *client, long connect_timeout_ms,
                                             long request_timeout_ms);

/* Sets how many times a failed request is retried (0 to 10). Only what is safe is retried:
 * 429/502/503/504 answers and failures before the request was sent; a POST whose body may
 * have reached the server is never resent. Statuses: INVALID_ARGUMENT. */
caffesta_status caffesta_client_set_max_retries(caffesta_client *client, int max_retries);

/* Sets a PEM file of CA certificates to trust instead of the system's (a private CA, the
 * emulator's test certificate). NULL restores the system store. Statuses: INVALID_ARGUMENT. */
caffesta_status caffesta_client_set_ca_file(caffesta_client *client, const char *ca_file);

/* Sets the largest answer body accepted, in bytes (1 KiB to 4 GiB; default 64 MiB). A larger
 * answer is abandoned with CAFFESTA_ERR_PROTOCOL. Statuses: INVALID_ARGUMENT. */
caffesta_status caffesta_client_set_max_response_size(caffesta_client *client, long long max_bytes);

/* ---- Calls ---- */

/* Checks the API key: GET /a/v1.0/storage/test.
 * Statuses: OK, UNAUTHORIZED for a wrong key, or those of the failed request. */
caffesta_status caffesta_auth_test(caffesta_client *client);

/* Creates the product, or updates it if Caffesta already holds one with the same ref_code.
 *   product_json  a JSON object with a non-empty string "ref_code" (API.md, Products).
 *   result_json   on CAFFESTA_OK: {"id", "ref_code", "action": "created"|"updated"};
 *                 free with caffesta_string_free(). NULL after any error.
 * Statuses: INVALID_ARGUMENT before any request; otherwise those of the failed request.
 * Safe to call from several threads on one client. */
caffesta_status caffesta_product_upsert(caffesta_client *client, const char *product_json,
                                        char **result_json);

/* Sends any request to the API and classifies the answer like every other call.
 *   method         "GET", "POST", "PUT", "PATCH" or "DELETE".
 *   path           starts with '/', relative to the base URL ("/a/v1.0/draft/storages");
 *                  an absolute URL, "//host", spaces or control characters are refused.
 *   body_json      JSON text sent as the body, or NULL for none.
 *   response_json  on CAFFESTA_OK: the answer body as JSON text (the whole envelope);
 *                  free with caffesta_string_free(). NULL after any error.
 * Statuses: INVALID_ARGUMENT before any request; otherwise those of the failed request. */
caffesta_status caffesta_request(caffesta_client *client, const char *method, const char *path,
                                 const char *body_json, char **response_json);

/* ---- Bulk catalog sync ---- */

/* Upserts many products, as caffesta_product_upsert does one, with up to `concurrency`
 * requests in flight on this thread (libcurl's multi interface, connections reused).
 *   products_json_array  a JSON array of product objects; [] is a valid batch of none.
 *   concurrency          1 to 64.
 *   report_json          one entry per input item, in input order:
 *                        {"ref_code", "action": "created"|"updated", "id"} or
 *                        {"ref_code", "action": "failed", "status": "CAFFESTA_ERR_...", "message",
 *                         "http_status"?}; free with caffesta_string_free().
 * Statuses: OK when every item succeeded; PARTIAL when some failed — the report is written
 * then too, and no item is ever dropped; INVALID_ARGUMENT (no report) when the array or
 * concurrency is bad. Items that are not valid products fail alone, without a request. */
caffesta_status caffesta_products_upsert_many(caffesta_client *client, const char *products_json_array,
                                              int concurrency, char **report_json);

/* Sets the progress callback of this client's bulk calls; NULL turns it off. The callback is
 * called on the thread that runs the bulk call, after each finished item, never from another
 * thread; user_data is passed back as is. */
caffesta_status caffesta_client_set_progress(caffesta_client *client, caffesta_progress_fn callback,
                                             void *user_data);

/* ---- Storages (API.md, Storage) ----
 * Calls below that return JSON write it to *result_json on CAFFESTA_OK (free it with
 * caffesta_string_free(); NULL after any error) and give the payload, not the envelope:
 * the "data" of {"success":..., "data":...} and {"code":"ok", "data":...} answers.
 * Ids must be positive; bad arguments give INVALID_ARGUMENT before any request. */

/* Lists storages: [{"id": 1, "name": "Cafe storage", "label": "(id:1) Cafe storage"}], by id. */
caffesta_status caffesta_storages_list(caffesta_client *client, char **result_json);

/* The stock on one storage: [{id, name, measure, cost, summ, balance}] (numbers as strings). */
caffesta_status caffesta_storage_stock(caffesta_client *client, long long storage_id, char **result_json);

/* ---- Incoming invoices and moves (storage documents) ---- */

/* Creates an incoming invoice and writes its id to *invoice_id.
 *   invoice_json  {number, date "YYYY-MM-DD HH:MM", storage {caf_id}, items [{amount, product_code, ...}],
 *                 shipper?, categories?, workspaces?, packages?, products?} (API.md).
 * Not idempotent: every call makes a new document; once the body may have reached the
 * server it is never resent, so a NETWORK or TIMEOUT error means "check before retrying". */
caffesta_status caffesta_invoice_create(caffesta_client *client, const char *invoice_json, long long *invoice_id);

/* Posts (wires) or unposts (unwires) an invoice: stock moves when it is wired. */
caffesta_status caffesta_invoice_wire(caffesta_client *client, long long invoice_id);
caffesta_status caffesta_invoice_unwire(caffesta_client *client, long long invoice_id);

/* Invoices dated on or after start_date ("YYYY-MM-DD"): a JSON array. */
caffesta_status caffesta_invoices_list(caffesta_client *client, const char *start_date, char **result_json);

/* One invoice with its items, products, packages, storage and status "wired"/"unwired". */
caffesta_status caffesta_invoice_get(caffesta_client *client, long long invoice_id, char **result_json);

/* Creates a move between storages and writes its id to *move_id.
 *   move_json  {comment?, date, storage_from {caf_id}, storage_to {caf_id}, items [{amount, product_code}]}.
 * Not idempotent, like caffesta_invoice_create. */
caffesta_status caffesta_move_create(caffesta_client *client, const char *move_json, long long *move_id);

/* Posts (wires) or unposts (unwires) a move. */
caffesta_status caffesta_move_wire(caffesta_client *client, long long move_id);
caffesta_status caffesta_move_unwire(caffesta_client *client, long long move_id);

/* ---- Products (API.md, Products; upsert is above) ---- */

/* Reads a product by ref_code: {id, ref_code, name, measure, category {id}, ...}. NOT_FOUND if none. */
caffesta_status caffesta_product_get(caffesta_client *client, const char *ref_code, char **result_json);

/* Updates a product by its Caffesta id, or by ref_code. product_json: a JSON object of the
 * fields to write. NOT_FOUND if there is no such product. result_json: the answer's data. */
caffesta_status caffesta_product_update(caffesta_client *client, long long product_id, const char *product_json,
                                        char **result_json);
caffesta_status caffesta_product_update_by_ref_code(caffesta_client *client, const char *ref_code,
                                                    const char *product_json, char **result_json);

/* Imports the WHOLE menu: every product the body does not list is REMOVED from the menu.
 *   menu_json  {update_balances, categories, menus, taxes, shops, items [{id, ...}]} (API.md).
 * To add and update without removing anything, use caffesta_menu_import_part. */
caffesta_status caffesta_menu_import(caffesta_client *client, const char *menu_json, char **result_json);

/* Imports part of the menu: adds and updates the listed items, removes nothing. */
caffesta_status caffesta_menu_import_part(caffesta_client *client, const char *menu_json, char **result_json);

/* ---- Delivery orders ---- */

/* Sets the path orders are posted to (default "/a/v1.0/draft/orders"; the docs give none). */
caffesta_status caffesta_client_set_order_path(caffesta_client *client, const char *path);

/* Sends a delivery order and writes the job id to poll to *job_id.
 *   order_json  {"bill": {app_id, delivery_type, total_sum, payments, items [{count, total_sum,
 *               product_id, ...}], client, created_at, ...}}; no negative counts or sums.
 * Not idempotent: never resent once it may have reached the server. */
caffesta_status caffesta_order_create(caffesta_client *client, const char *order_json, long long *job_id);

/* The job's state: {"job_id", "status": "pending"|"success"|"failed", "message"}; on success
 * message is the order's UUID, on failure the reason. */
caffesta_status caffesta_order_job_status(caffesta_client *client, long long job_id, char **result_json);

/* Polls the job with backoff until it ends or timeout_ms passes.
 * Statuses: OK with the final job JSON (message = the order's UUID); API when the job failed
 * (the reason is in caffesta_last_error()); TIMEOUT when it is still pending at the deadline. */
caffesta_status caffesta_order_wait(caffesta_client *client, long long job_id, long timeout_ms, char **result_json);

/* The receipts of an order, by the UUID a successful job gives: a JSON array. */
caffesta_status caffesta_receipt_info(caffesta_client *client, const char *order_uuid, char **result_json);

/* ---- Update feeds (incremental sync for a POS); ts = 0 means everything ---- */

/* One Unix timestamp per section: {"categories", "menus", "products", "balances", "clients", ...}. */
caffesta_status caffesta_updates_get(caffesta_client *client, long long pos_id, char **result_json);

/* One keyset page of products changed since ts: {"items": [...], "next_start_id": id | null}.
 * Start with start_id 0; pass next_start_id back until it is null. Deleted products come
 * only when ts != 0. */
caffesta_status caffesta_products_page(caffesta_client *client, long long pos_id, long long start_id, long long ts,
                                       char **result_json);

/* Every product changed since ts, all pages followed: a JSON array. */
caffesta_status caffesta_products_all(caffesta_client *client, long long pos_id, long long ts, char **result_json);

/* Stock balances, loyalty clients and per-shop product data changed since ts: JSON arrays. */
caffesta_status caffesta_balances_get(caffesta_client *client, long long pos_id, long long ts, char **result_json);
caffesta_status caffesta_clients_get(caffesta_client *client, long long ts, char **result_json);
caffesta_status caffesta_product_shop_data_get(caffesta_client *client, long long pos_id, long long ts,
                                               char **result_json);

/* Reference lists: JSON arrays. */
caffesta_status caffesta_categories_get(caffesta_client *client, char **result_json);
caffesta_status caffesta_workspaces_get(caffesta_client *client, char **result_json);
caffesta_status caffesta_taxes_get(caffesta_client *client, char **result_json);
caffesta_status caffesta_modifier_groups_get(caffesta_client *client, char **result_json);

/* Fetches only what changed since the caller's last sync.
 *   known_json   the "timestamps" object of the previous result, or "{}" the first time.
 *   result_json  {"timestamps": {section: ts}, "changed": [sections],
 *                 "data": {"products", "product_shop_data", "balances", "clients", "categories",
 *                          "workspaces", "taxes"}} — data holds the feeds of changed sections only;
 *                 sections without a feed (menus, desks, settings, ...) are listed in changed.
 * Keep "timestamps" and pass it next time. */
caffesta_status caffesta_sync_changes(caffesta_client *client, long long pos_id, const char *known_json,
                                      char **result_json);

/* ---- Sales exports ----
 * Give either start and end (ISO 8601: "2018-11-05", "2018-11-05T05:00", "2018-11-05T05:00+02:00";
 * without a zone the account's zone applies) with shift_day NULL, or shift_day ("YYYY-MM-DD")
 * with start and end NULL. */

/* Sales grouped by POS, price and product: [{caf_terminal_id, caf_id, name, ref_code, price, qnt, ...}]. */
caffesta_status caffesta_sales_by_product(caffesta_client *client, const char *start, const char *end,
                                          const char *shift_day, char **result_json);

/* Sales grouped by POS: [{qnt, caf_terminal_id, cafe_workspace_id, cash, card, ..., total_pay}]. */
caffesta_status caffesta_sales_by_pos(caffesta_client *client, const char *start, const char *end,
                                      const char *shift_day, char **result_json);

/* Every receipt of one shift day ("YYYY-MM-DD") of one terminal, ungrouped: a JSON array. */
caffesta_status caffesta_receipts_by_shift_day(caffesta_client *client, long long terminal_id, const char *date,
                                               char **result_json);

/* ---- Errors, memory, version ---- */

/* This thread's most recent call: a message naming the method, path, HTTP status and the
 * server's error text; "" after a success. Never contains the API key. Valid until this
 * thread's next call into the library; do not free. */
const char *caffesta_last_error(void);

/* This thread's most recent call: the HTTP status of the last answer, 0 when there was none. */
int caffesta_last_http_status(void);

/* The enum name of a status, "CAFFESTA_ERR_API"; "CAFFESTA_UNKNOWN" for other values.
 * Static storage: do not free. */
const char *caffesta_status_name(caffesta_status status);

/* Frees a string the library handed out. NULL: no-op. */
void caffesta_string_free(char *s);

/* The library's version at run time, "1.1.0". Static storage: do not free. */
const char *caffesta_version(void);

/* ---- FFI declarations end ---- */
