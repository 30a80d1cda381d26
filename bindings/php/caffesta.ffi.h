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
  CAFFESTA_ERR_API = 9,              /* an answer whose body says error (success:false, data.error, code:error) */
  CAFFESTA_ERR_PROTOCOL = 10,        /* the answer is not the JSON it should be, or too large */
  CAFFESTA_ERR_HTTP = 11,            /* any other HTTP status */
  CAFFESTA_ERR_NO_MEMORY = 12,
  CAFFESTA_ERR_INTERNAL = 13,
  CAFFESTA_ERR_PARTIAL = 14,         /* a bulk call in which some items failed; the report says which */
  CAFFESTA_ERR_PROXY = 15,           /* the proxy could not be reached, or refused (401, 403, 407): fix the proxy, not the key */
  CAFFESTA_ERR_CANCELLED = 16,       /* caffesta_client_cancel() or caffesta_call_cancel() stopped the call */
  CAFFESTA_PENDING = 17              /* not an error: an asynchronous call started; done() tells its end */
} caffesta_status;

/* What became of a failed call's request, in a form a program reads (caffesta_last_delivery(),
 * caffesta_call_delivery(), "delivery" in a bulk report's failed entries):
 *   NOT_SENT          nothing reached the server, or the server proved it did nothing with it:
 *                     bad input (INVALID_ARGUMENT), DNS, a refused connection, a connect
 *                     timeout, a TLS handshake, an HTTP 429 or 503 answer, a proxy's refusal,
 *                     an HTTP/2 stream above the server's GOAWAY, a cancel before sending.
 *                     Safe to send again.
 *   MAY_HAVE_ARRIVED  the request may have reached the server and no answer says what it did:
 *                     a timeout or a closed or reset connection after sending, a gateway's 502
 *                     or 504, an answer cut short, too large or unreadable (PROTOCOL after a 2xx),
 *                     a cancel after sending. A write may have been applied: check before sending
 *                     it again (docs/api.md, "Writes that may have arrived").
 *   ANSWERED          the server answered and the status says how (OK, API, NOT_FOUND, ...).
 * A call's state is that of its last attempt (a write resent after a 503 whose resend timed out
 * is TIMEOUT and MAY_HAVE_ARRIVED), except that a write that may have arrived stays
 * MAY_HAVE_ARRIVED until a later answer to the same request settles it. After a success it is
 * ANSWERED. The message of a failed write says the same in words ("the invoice may have been
 * created: check the invoice list before sending it again"). docs/api.md lists which states
 * each status can carry. */
typedef enum caffesta_delivery {
  CAFFESTA_NOT_SENT = 0,
  CAFFESTA_MAY_HAVE_ARRIVED = 1,
  CAFFESTA_ANSWERED = 2
} caffesta_delivery;

/* Progress of a bulk call: called on the caller's thread after each finished item. */
typedef void (*caffesta_progress_fn)(void *user_data, size_t done, size_t total);

/* The request log: one event per attempt, as a NUL-terminated JSON object that is valid only
 * during the call (copy what you keep). See caffesta_client_set_log() for the fields. */
typedef void (*caffesta_log_fn)(void *user_data, const char *event_json);

/* ---- Client ---- */

/* Creates a client for https://{account_name}.caffesta.com.
 *   account_name  a DNS label: letters, digits and '-', 1 to 63 characters.
 *   api_key       the account's API key: printable ASCII, no spaces, 1 to 256 characters.
 * Returns NULL on error (the reason is in caffesta_last_error(); caffesta_client_create also
 * gives the status). Free with caffesta_client_free().
 * Defaults: connect timeout 10 s, whole call 60 s, 2 retries, answers up to 64 MiB. */
caffesta_client *caffesta_client_new(const char *account_name, const char *api_key);

/* caffesta_client_new with a status that says why it failed.
 *   out  on CAFFESTA_OK: the new client, freed with caffesta_client_free(); NULL after an error.
 * Statuses: INVALID_ARGUMENT (a bad account name or key, a NULL pointer), NO_MEMORY. */
caffesta_status caffesta_client_create(const char *account_name, const char *api_key,
                                       caffesta_client **out);

/* Frees the client and closes its connections. NULL: no-op. */
void caffesta_client_free(caffesta_client *client);

/* Replaces the base URL, for the emulator, a staging host or a proxy: "http://127.0.0.1:8765".
 * Only http:// and https:// with a host and an optional port and path prefix; no query,
 * fragment or user info. The server's root, not the API's: every call adds "/a/v1.0/...",
 * so a URL ending in "/a/v1.0" (or "/a/v1.1") is refused. Error messages name the full URL
 * requested ("GET http://127.0.0.1:8765/a/v1.0/storage/test: HTTP 401 ..."; never the key).
 * The API key goes wherever this points: set it on purpose only.
 * Statuses: INVALID_ARGUMENT. Safe to call while other threads use the client. */
caffesta_status caffesta_client_set_base_url(caffesta_client *client, const char *base_url);

/* Sets the connect timeout and the deadline of a whole call (all retries included), in ms.
 * Both must be positive and connect_timeout_ms <= request_timeout_ms: a larger connect timeout
 * is refused (INVALID_ARGUMENT), never shortened; the Python and PHP bindings follow the same
 * rule. Statuses: INVALID_ARGUMENT. */
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

/* The proxy for every request, for hosts that must not depend on the environment (a php-fpm
 * pool has another one than the CLI): "http://[user:password@]host:port" (also https://,
 * socks4://, socks4a://, socks5://, socks5h://), or "direct" for no proxy at all whatever
 * https_proxy, http_proxy or all_proxy say. NULL (the default) goes back to libcurl's proxy
 * variables (https_proxy, http_proxy, all_proxy, no_proxy). The API key never goes to a
 * proxy of an https:// base URL: the tunnel's CONNECT carries no header of ours. A proxy's own
 * refusal is CAFFESTA_ERR_PROXY, not retried; messages name the proxy without its password.
 * The string is copied. Statuses: INVALID_ARGUMENT. Safe to call while other threads use the client. */
caffesta_status caffesta_client_set_proxy(caffesta_client *client, const char *proxy);

/* ---- Shared clients (connections kept across requests: php-fpm) ----
 *
 * A host that frees everything at the end of each request, as a php-fpm worker does, would open a
 * new connection for every request's client: a TCP and a TLS handshake, two or three round trips
 * before the request itself. A client from caffesta_client_acquire() takes its connections from a
 * process-wide registry instead, and leaves them there when it is freed, so the next request's
 * client sends at once on the same kept-alive connection.
 *
 *   caffesta_client *client = NULL;
 *   if (caffesta_client_acquire("mycafe", api_key, NULL, &client, NULL) == CAFFESTA_OK) {
 *     caffesta_client_set_timeouts(client, 2000, 10000);  // a new client: set what you need
 *     status = caffesta_product_upsert(client, product_json, &result);
 *     caffesta_client_free(client);                       // the connections stay, for the next one
 *   }
 *
 *   - Kept: one entry per account name, API key and share key holds the connections (with their
 *     TLS sessions) and libcurl's DNS cache. Clients whose settings send requests elsewhere or
 *     otherwise (base URL, proxy, CA file) should say so in the share key; the PHP binding passes
 *     its options there.
 *   - Not kept: every acquired client is a new client object. Its settings, request log, progress
 *     callback and caffesta_client_cancel() start at the defaults and end with it, so nothing that
 *     one request set reaches the next: set them after each acquire. The last error is the
 *     thread's, as always (caffesta_client_acquire() sets it), and so is a call object armed with
 *     caffesta_call_next(): it runs the thread's next call, whichever client makes it.
 *   - Bounded: the registry keeps at most caffesta_shared_clients_set_limit() entries (8 by
 *     default). A new entry takes the place of the least recently used one that no client holds,
 *     whose connections close then; when every entry is held, the client acquired is an ordinary
 *     one (its connections close with it). A connection the server closed while it was idle (its
 *     keep-alive timeout) is replaced by a new one at the next call, as in any client.
 *   - Threads: any thread may acquire, use and free; clients of one entry may run at once, as the
 *     threads of one client do.
 *   - fork(): the child finds the parent's entries but never uses or closes the parent's
 *     connections (a forked client's rule): its first call opens its own.
 *   - The registry lasts as long as the process: a php-fpm worker recycled by pm.max_requests
 *     starts again with none. The API keys of its entries stay in memory until then, as a
 *     client's does while it lives. */

/* Acquires a client whose connections are kept across requests (see above).
 *   account_name, api_key  as for caffesta_client_new().
 *   share_key  the caller's name for the settings that decide where and how its requests go
 *              (base URL, proxy, CA file): clients share an entry only when their account name,
 *              API key and share key are equal. NULL or "" for none; UTF-8, at most 4096 bytes.
 *   out        on CAFFESTA_OK: a new client, freed with caffesta_client_free() (its connections
 *              stay in the registry); NULL after an error.
 *   reused     NULL, or where to write 1 when the entry existed already (its open connections
 *              serve this client), 0 when it is new or the client is an ordinary one.
 * Statuses: INVALID_ARGUMENT (as caffesta_client_create(), or a share key too long), NO_MEMORY.
 * Safe to call from several threads. */
caffesta_status caffesta_client_acquire(const char *account_name, const char *api_key, const char *share_key,
                                        caffesta_client **out, int *reused);

/* Sets how many entries the registry keeps: 0 to 1024 (default 8). Entries beyond it that no
 * client holds are closed now, the least recently used first; held ones at the first acquire or
 * limit after their last client is freed. 0 turns sharing off: caffesta_client_acquire() then
 * gives ordinary clients.
 * Statuses: INVALID_ARGUMENT. Safe to call from several threads. */
caffesta_status caffesta_shared_clients_set_limit(int limit);

/* ---- Calls ---- */

/* Checks the API key: GET /a/v1.0/storage/test.
 * Statuses: OK, UNAUTHORIZED for a wrong key, or those of the failed request. */
caffesta_status caffesta_auth_test(caffesta_client *client);

/* Creates the product, or updates it if Caffesta already holds one with the same ref_code.
 *   product_json  a JSON object with a non-empty string "ref_code" (docs/api.md, Products).
 *   result_json   on CAFFESTA_OK: {"id", "ref_code", "action": "created"|"updated"}, the id
 *                 as the server wrote it (any length), the ref_code as the caller did;
 *                 free with caffesta_string_free(). NULL after any error.
 * The product is sent as written (PUT, then POST on "not found").
 * Statuses: INVALID_ARGUMENT before any request; otherwise those of the failed request.
 * Safe to call from several threads on one client. */
caffesta_status caffesta_product_upsert(caffesta_client *client, const char *product_json,
                                        char **result_json);

/* Sends any request to the API and classifies the answer like every other call.
 *   method         "GET", "POST", "PUT", "PATCH" or "DELETE".
 *   path           starts with '/', relative to the base URL ("/a/v1.0/draft/storages");
 *                  an absolute URL, "//host", spaces or control characters are refused.
 *   body_json      JSON text sent as the body exactly as written (any JSON value, no duplicate
 *                  keys), or NULL for none. GET and DELETE take none: a body there gives
 *                  INVALID_ARGUMENT and nothing is sent.
 *   response_json  on CAFFESTA_OK: the answer body byte for byte as the server wrote it (the
 *                  whole envelope; "null" for an empty 204 answer);
 *                  free with caffesta_string_free(). NULL after any error.
 * Statuses: INVALID_ARGUMENT before any request; otherwise those of the failed request. */
caffesta_status caffesta_request(caffesta_client *client, const char *method, const char *path,
                                 const char *body_json, char **response_json);

/* ---- Bulk catalog sync ---- */

/* Upserts many products, as caffesta_product_upsert does one, with `concurrency` requests in
 * flight at once on this thread (libcurl's multi interface): over HTTP/1.1 that many
 * connections, over HTTP/2 that many streams of one connection; connections are reused.
 *   products_json_array  a JSON array of product objects; [] is a valid batch of none.
 *   concurrency          1 to 64.
 *   report_json          one entry per input item, in input order:
 *                        {"ref_code", "action": "created"|"updated", "id"},
 *                        {"ref_code", "action": "failed", "status": "CAFFESTA_ERR_...", "message",
 *                         "delivery": "not_sent"|"may_have_arrived"|"answered", "http_status"?},
 *                        or, after a cancel, {"ref_code", "action": "cancelled"} for an item
 *                        never sent; ref_code as the caller wrote it (null without one), id as
 *                        the server wrote it; free with caffesta_string_free().
 * Time: an item's requests get the client's request timeout from the item's first request
 * (its PUT and a POST after it share it), so an item queued behind slow ones loses no time
 * waiting. The whole call has a deadline too: the call object's timeout from the start of the
 * call when one is set (caffesta_call_set_timeout(); here it may be longer than the client's),
 * and in any case the client's request timeout after the last answer the server gave (so a
 * server that stops answering ends the call within one request timeout, however many items
 * are left). When the deadline passes, requests in flight are cut and their items fail with
 * CAFFESTA_ERR_TIMEOUT and their delivery state, and items not started fail with
 * CAFFESTA_ERR_TIMEOUT, "delivery": "not_sent" and the message "not sent: the call's deadline
 * passed before its turn".
 * Each element is sent as written; a duplicate key anywhere refuses the whole array.
 * Statuses: OK when every item succeeded; PARTIAL when some failed; CANCELLED when
 * caffesta_client_cancel() or caffesta_call_cancel() stopped items (see there) — the report is written with PARTIAL and
 * CANCELLED too, and no item is ever dropped; INVALID_ARGUMENT (no report) when the array or
 * concurrency is bad. Items that are not valid products fail alone, without a request. */
caffesta_status caffesta_products_upsert_many(caffesta_client *client, const char *products_json_array,
                                              int concurrency, char **report_json);

/* Sets the progress callback of this client's bulk calls; NULL turns it off. The callback is
 * called on the thread that runs the bulk call (the caller's, or the library's for an
 * asynchronous one), after each finished item, never from another thread; user_data is passed
 * back as is. */
caffesta_status caffesta_client_set_progress(caffesta_client *client, caffesta_progress_fn callback,
                                             void *user_data);

/* ---- Stopping and seeing: cancel and the request log ---- */

/* Stops the calls running on this client (to stop one call, and cut its request in flight,
 * use caffesta_call_cancel()). Async-signal-safe: it only increments an atomic
 * counter, so it may be called from any thread, from inside a progress or log callback, and
 * from a signal handler (SIGINT). NULL: no-op.
 *   - Bulk calls (caffesta_products_upsert_many): items not yet sent are reported
 *     {"ref_code", "action": "cancelled"} and are never sent; items waiting to retry are not
 *     retried: "failed" with status CAFFESTA_ERR_CANCELLED and their last attempt in the
 *     message; requests in flight run to their answer and are reported as usual, and an item
 *     whose PUT found no product still gets its POST (a write is never abandoned half-way).
 *     The call returns CAFFESTA_ERR_CANCELLED with the whole report. When every item had been
 *     sent already, nothing is stopped and the call returns what it would have.
 *   - Every other call ends at its next retry decision (or during its wait before a retry,
 *     or between two polls of caffesta_order_wait) with CAFFESTA_ERR_CANCELLED; a request in
 *     flight is never cut off, and a call of several requests (an upsert's PUT then POST) only
 *     checks at those points.
 * Which calls it stops: those that started before it, and nothing else. A call starts when it
 * enters the library: it notes the counter then and is cancelled when the counter moves.
 * There is no flag to clear: a cancel while no call runs affects nothing, and every later
 * call runs normally. A host that must not lose a cancel racing its own call start (a signal
 * just before the call) keeps its own "stop" flag and checks it before calling, as
 * examples/c/sync.c does. */
void caffesta_client_cancel(caffesta_client *client);

/* Sets the request log of this client; NULL turns it off. Calls already running keep the log
 * they started with. `callback(user_data, event_json)` is called once per attempt (each retry
 * is an attempt), on the thread that runs the call — for a bulk call, the thread that called
 * caffesta_products_upsert_many; for an asynchronous call, the library's thread — after the answer or failure and the retry decision, before
 * any retry wait. It must not free event_json and may call any function of this library.
 * An event is a JSON object (new fields may be added; ignore those you do not know):
 *   "method"          "GET", "PUT", "POST", ...
 *   "path"            the path after the base URL, as sent ("/a/v1.0/product/by_ref_code/latte")
 *   "attempt"         1 for the first attempt of a request, 2 for its first retry, ...
 *   "item"            bulk calls only: the item's index in the input array (from 0)
 *   "http_status"     the answer's HTTP status, or null when there was no answer
 *   "failure"         null, or libcurl's text for why there was no complete answer
 *                     ("Timeout was reached", "Couldn't connect to server")
 *   "status"          the library's status for this attempt: "CAFFESTA_OK", the error it
 *                     ends with, or, when it is retried, the error that caused the retry
 *   "elapsed_ms"      the attempt's time, connection included (libcurl's total time)
 *   "retry"           true when the request is sent again
 *   "retry_delay_ms"  the wait before that retry, or null
 *   "retry_after_s"   the answer's Retry-After in seconds, or null when it had none
 *   "connection"      "new" when the attempt opened a connection (CURLINFO_NUM_CONNECTS > 0),
 *                     "reused" when it went over a kept-alive one
 *   "bytes_sent"      request line, headers and body, as libcurl counts them
 *   "bytes_received"  status line, headers and body
 * An event never holds the API key, a proxy password, a request or answer body, or the
 * server's error text (which comes from a body): a ref_code in the path is its only data.
 * Statuses: INVALID_ARGUMENT when client is NULL. */
caffesta_status caffesta_client_set_log(caffesta_client *client, caffesta_log_fn callback, void *user_data);

/* ---- One call: its own timeout, its own cancel, asynchronous completion ----
 *
 * A caffesta_call holds the options and the outcome of one call. Arm it with caffesta_call_next()
 * and this thread's next call that makes requests runs under it: any function that takes a
 * client, from caffesta_auth_test() on, except the caffesta_client_* setters, cancel and log.
 *
 *   caffesta_call *call = NULL;
 *   caffesta_call_create(&call);
 *   caffesta_call_set_timeout(call, 2000);   // this call only, within the client's timeout
 *   caffesta_call_next(call);
 *   status = caffesta_product_get(client, "latte", &json);  // another thread may caffesta_call_cancel(call)
 *   caffesta_call_free(call);
 *
 * Synchronous (the default): the function runs on this thread as every call does and writes its
 * outputs, caffesta_last_error() and the rest as usual; the call object keeps the outcome too.
 *
 * Asynchronous (after caffesta_call_set_done()): the function never writes its outputs (NULL
 * may be passed for them); it checks its arguments and then either fails at once
 * (INVALID_ARGUMENT, NO_MEMORY: done() is not called; the status is also the call object's) or
 * returns CAFFESTA_PENDING at once. The library runs the call on its own
 * thread — one per client, started by the client's first asynchronous call, driving all of
 * them at once through libcurl's multi interface; no thread per call — and calls
 * done(user_data, call) on that thread when the call ends. The outcome is then read from the
 * call object: caffesta_call_status(), caffesta_call_take_result() (calls that give JSON, and a
 * bulk report), caffesta_call_id() (calls that give an id), caffesta_call_error(),
 * caffesta_call_http_status(), caffesta_call_delivery(). done() must not block (it holds up the
 * client's other asynchronous calls); it may start calls (asynchronous ones are queued), free
 * the call, and hand the outcome to another thread (an event loop: Python's
 * loop.call_soon_threadsafe). The request log and the progress callback of an asynchronous call
 * run on the library's thread.
 *
 * caffesta_client_free() with asynchronous calls in flight cancels them — each done() runs, with
 * CAFFESTA_ERR_CANCELLED — and waits for the library's thread to end; it may be called from
 * done(). After fork(), the child's first asynchronous call starts the child's own thread; calls
 * in flight at the fork end in the parent only. */
typedef struct caffesta_call caffesta_call; /* opaque */

/* Called once when an asynchronous call ends, on the library's thread. */
typedef void (*caffesta_done_fn)(void *user_data, caffesta_call *call);

/* Creates a call object: synchronous, the client's timeout, not cancelled.
 *   out  on CAFFESTA_OK the call, freed with caffesta_call_free(); NULL after an error.
 * Statuses: INVALID_ARGUMENT (out is NULL), NO_MEMORY. */
caffesta_status caffesta_call_create(caffesta_call **out);

/* Frees the call object. A pending asynchronous call is cancelled first; its done() still runs
 * once, and the pointer stays valid until done() returns. NULL: no-op. */
void caffesta_call_free(caffesta_call *call);

/* This call's own timeout in ms (1 ms to 24 hours; 0: none, the client's alone). It covers all the
 * call's requests and retries, as the client's request timeout does, and the shorter of the two
 * applies, except in caffesta_products_upsert_many (the whole batch's deadline, which may be
 * longer: see there) and caffesta_order_wait*() (the wait's timeout_ms and this one: the shorter).
 * A call that runs out of it fails with CAFFESTA_ERR_TIMEOUT and its delivery state.
 * Statuses: INVALID_ARGUMENT. */
caffesta_status caffesta_call_set_timeout(caffesta_call *call, long long timeout_ms);

/* Makes the calls made under this object asynchronous (see above): done(user_data, call) runs once
 * on the library's thread when each ends. NULL done makes them synchronous again.
 * Statuses: INVALID_ARGUMENT (call NULL, or a call under it still pending). */
caffesta_status caffesta_call_set_done(caffesta_call *call, caffesta_done_fn done, void *user_data);

/* Arms the call object: this thread's next call that makes requests runs under it (and disarms
 * it). The library keeps a reference meanwhile, so the object may be freed before that call.
 * Arming another object, or NULL, disarms the first. A call object may serve one call after
 * another, each outcome replacing the last. Statuses: INVALID_ARGUMENT when a call under it is
 * still pending. */
caffesta_status caffesta_call_next(caffesta_call *call);

/* Cancels the call running under this object, and only that one, from any thread; also
 * async-signal-safe (an atomic store and increment). Within 100 ms its request in flight is cut
 * (libcurl drops the transfer and its connection), its retry wait ends, and the call fails with
 * CAFFESTA_ERR_CANCELLED: delivery NOT_SENT when no byte of the request had gone out, else
 * MAY_HAVE_ARRIVED. In a bulk call, every item in flight is cut that way and items not sent are
 * reported "cancelled". The cancel sticks: every later call made under this object fails with
 * CAFFESTA_ERR_CANCELLED before sending anything (create a new object for a new call). Other
 * calls, of this client or any, are not touched. NULL: no-op. */
void caffesta_call_cancel(caffesta_call *call);

/* The status of the last call made under this object: CAFFESTA_PENDING while an asynchronous
 * one runs, CAFFESTA_OK before any call. INVALID_ARGUMENT for NULL. Sets no last error. */
caffesta_status caffesta_call_status(const caffesta_call *call);

/* Takes the JSON result of the last call made under this object, for calls that give one in
 * *result_json (and the report of caffesta_products_upsert_many, also with PARTIAL and
 * CANCELLED). Returns that call's status (PENDING while it runs);
 *   result_json  the result, now the caller's (free with caffesta_string_free()); NULL when the
 *                call gave none, failed, or the result was taken already.
 * Sets no last error. */
caffesta_status caffesta_call_take_result(caffesta_call *call, char **result_json);

/* The id of the last call made under this object, for calls that give one (*invoice_id,
 * *move_id, *job_id); 0 when it failed, is pending or gives none. */
long long caffesta_call_id(const caffesta_call *call);

/* The message of the last call made under this object: "" after a success or while pending.
 * Valid until the object is used for another call or freed; do not free. "" for NULL. */
const char *caffesta_call_error(const caffesta_call *call);

/* The HTTP status (as caffesta_last_http_status()) and delivery state (as
 * caffesta_last_delivery()) of the last call made under this object. */
int caffesta_call_http_status(const caffesta_call *call);
caffesta_delivery caffesta_call_delivery(const caffesta_call *call);

/* ---- Storages (docs/api.md, Storages) ----
 * Calls below that return JSON write it to *result_json on CAFFESTA_OK (free it with
 * caffesta_string_free(); NULL after any error) and give the payload, not the envelope:
 * the text of "data" of {"success":..., "data":...} and {"code":"ok", "data":...} answers,
 * byte for byte as the server wrote it (a bare answer whole).
 * Ids must be positive; bad arguments give INVALID_ARGUMENT before any request. */

/* Lists storages: [{"id": 7, "name": "Общий склад", "label": "(id:7) Общий склад", "position": 2}],
 * ordered by position. The server answers {"1": "(id:1) ...", "2": "(id:7) ..."}: the key is the
 * storage's position in the answer, the id is the N of the label's "(id:N)" — the id to use as
 * storage.caf_id and storage_id. A label without "(id:N)" gives "id": null, never a guess.
 * Statuses: PROTOCOL when a key is not a number or a label not a string. */
caffesta_status caffesta_storages_list(caffesta_client *client, char **result_json);

/* The stock on one storage: [{id, name, measure, cost, summ, balance}] (numbers as strings). */
caffesta_status caffesta_storage_stock(caffesta_client *client, long long storage_id, char **result_json);

/* ---- Incoming invoices and moves (storage documents) ---- */

/* Creates an incoming invoice, NOT wired (it moves no stock until caffesta_invoice_wire), and
 * writes its id to *invoice_id (0 after an error).
 *   invoice_json  {number, date "YYYY-MM-DD HH:MM" (UTC; another form is INVALID_ARGUMENT before
 *                 any request), storage {caf_id}, items [{amount, product_code, ...}],
 *                 shipper?, categories?, workspaces?, packages?, products?} (docs/api.md).
 *                 The number comes back as the invoice's "name".
 * Not idempotent: every call makes a new document; once the body may have reached the
 * server it is never resent, so a NETWORK or TIMEOUT error means "check before retrying". */
caffesta_status caffesta_invoice_create(caffesta_client *client, const char *invoice_json, long long *invoice_id);

/* Posts (wires) or unposts (unwires) an invoice: stock moves when it is wired. */
caffesta_status caffesta_invoice_wire(caffesta_client *client, long long invoice_id);
caffesta_status caffesta_invoice_unwire(caffesta_client *client, long long invoice_id);

/* Invoices dated on or after start_date ("YYYY-MM-DD"): an array of summaries, no items:
 * [{id, name, total_amount, total_wo_nds, total_nds_sum, type, shipper {id, name, created_at,
 *   deleted}, created_at, created_by {id}, updated_at, updated_by {id}, storage {id, name},
 *   status, finished, doc_date, paid}]. status is "wired" or "not_wired" (older answers say
 * "unwired": treat it as "not_wired"); values come back as the server wrote them. */
caffesta_status caffesta_invoices_list(caffesta_client *client, const char *start_date, char **result_json);

/* One invoice: the summary's fields plus items, products, packages (with deleted, hidden),
 * shipper (with ref_code, created_at, deleted), storage, updated_by; status "wired" or
 * "not_wired" ("unwired" in older answers means the same). */
caffesta_status caffesta_invoice_get(caffesta_client *client, long long invoice_id, char **result_json);

/* Creates a move between storages and writes its id to *move_id.
 *   move_json  {comment?, date, storage_from {caf_id}, storage_to {caf_id}, items [{amount, product_code}]}.
 * Not idempotent, like caffesta_invoice_create. */
caffesta_status caffesta_move_create(caffesta_client *client, const char *move_json, long long *move_id);

/* Posts (wires) or unposts (unwires) a move. */
caffesta_status caffesta_move_wire(caffesta_client *client, long long move_id);
caffesta_status caffesta_move_unwire(caffesta_client *client, long long move_id);

/* ---- Products (docs/api.md, Products; upsert is above) ---- */

/* Reads a product by ref_code: {id, ref_code, name, measure, category {id}, ...}. NOT_FOUND if none. */
caffesta_status caffesta_product_get(caffesta_client *client, const char *ref_code, char **result_json);

/* Updates a product by its Caffesta id, or by ref_code. product_json: a JSON object of the
 * fields to write. NOT_FOUND if there is no such product. result_json: the answer's data. */
caffesta_status caffesta_product_update(caffesta_client *client, long long product_id, const char *product_json,
                                        char **result_json);
caffesta_status caffesta_product_update_by_ref_code(caffesta_client *client, const char *ref_code,
                                                    const char *product_json, char **result_json);

/* Imports the WHOLE menu: every product the body does not list is REMOVED from the menu.
 *   menu_json  {update_balances, categories, menus, taxes, shops, items [{id, ..., prices
 *              [{shop_id, value, value_day}]}]} (docs/api.md); in prices, value is the COST and
 *              value_day the RETAIL price.
 * To add and update without removing anything, use caffesta_menu_import_part. */
caffesta_status caffesta_menu_import(caffesta_client *client, const char *menu_json, char **result_json);

/* Imports part of the menu: adds and updates the listed items, removes nothing. */
caffesta_status caffesta_menu_import_part(caffesta_client *client, const char *menu_json, char **result_json);

/* ---- Delivery orders ---- */

/* Sets the path orders are posted to. Default "/a/v1.1/draft/receipts", which answers at once
 * with the order's UUID; "/a/v1.0/draft/receipts" answers with a job to poll. No query. */
caffesta_status caffesta_client_set_order_path(caffesta_client *client, const char *path);

/* Sends a delivery order. The server answers in one of two forms, and the result covers both:
 *   order_json   {"bill": {pos_id?, app_id, delivery_type, total_sum, payments, items [{count,
 *                total_sum, product_id, ...}], client {uuid} or {name, last_name, address, phone,
 *                card_number, discount_group {id}}, created_at, ...}}; no negative counts or sums.
 *   result_json  {"job_id": 54300903, "status": "pending", "uuid": null} — a job: wait for it
 *                with caffesta_order_wait_submitted() (or caffesta_order_wait(job_id));
 *                {"job_id": null, "status": "success", "uuid": "2bb7d2b3-..."} — made at once;
 *                free with caffesta_string_free().
 * Statuses: API when the server answers status "failed" (its reason in caffesta_last_error());
 * PROTOCOL when the answer holds neither a job nor a UUID (the order may have been made).
 * Not idempotent: never resent once it may have reached the server. */
caffesta_status caffesta_order_submit(caffesta_client *client, const char *order_json, char **result_json);

/* Waits for a submitted order: submitted_json is caffesta_order_submit()'s result. One made at
 * once comes back without a request; a pending job is polled as caffesta_order_wait() does.
 *   result_json  {"job_id": N|null, "status": "success", "uuid": "..."}.
 * Statuses: as caffesta_order_wait(); INVALID_ARGUMENT when submitted_json has neither a job_id
 * nor status "success" with a uuid. */
caffesta_status caffesta_order_wait_submitted(caffesta_client *client, const char *submitted_json,
                                              long timeout_ms, char **result_json);

/* The older form of caffesta_order_submit(): writes the job id to poll to *job_id. When the
 * answer carries no job (the default v1.1 path's {status: success, message: UUID}) the order
 * is made: this returns CAFFESTA_OK with *job_id = 0, and the UUID is lost to this call — use
 * caffesta_order_submit(). Statuses and resending as caffesta_order_submit(). */
caffesta_status caffesta_order_create(caffesta_client *client, const char *order_json, long long *job_id);

/* GET /a/v1.0/draft/get_job_status/{job_id}, answered wrapped in {"success", "data"} or bare:
 * {"job_id", "status": "pending"|"success"|"failed", "message"} (job_id a number); on success
 * message is the order's UUID, on failure the reason. The server's data as written, except
 * that a job_id given as a string of digits is written as the number. */
caffesta_status caffesta_order_job_status(caffesta_client *client, long long job_id, char **result_json);

/* Polls GET /a/v1.0/draft/get_job_status/{job_id} (wrapped or bare) with backoff until the job
 * ends or timeout_ms passes. For an order that may have been made at once, wait on
 * caffesta_order_submit()'s result with caffesta_order_wait_submitted() instead.
 * Statuses: OK with the final job JSON (message = the order's UUID); API when the job failed
 * (the reason is in caffesta_last_error()); TIMEOUT when it is still pending at the deadline. */
caffesta_status caffesta_order_wait(caffesta_client *client, long long job_id, long timeout_ms, char **result_json);

/* The receipts of an order, by the UUID a successful job gives: a JSON array. */
caffesta_status caffesta_receipt_info(caffesta_client *client, const char *order_uuid, char **result_json);

/* ---- Update feeds (incremental sync for a POS); ts = 0 means everything ----
 * ts is inclusive: rows changed at or after that Unix second come back, so a row changed in
 * the very second of the last sync comes again (never not at all). */

/* Every feed below answers {"code": "ok", "data": ...}; {"code": "error", ...} is CAFFESTA_ERR_API
 * with the server's text in caffesta_last_error().
 * One Unix timestamp per section: {"categories", "menus", "products", "balances", "clients", ...}. */
caffesta_status caffesta_updates_get(caffesta_client *client, long long pos_id, char **result_json);

/* One keyset page of products changed since ts: {"items": [...], "next_start_id": id | null},
 * items as the server wrote them.
 * Start with start_id 0; pass next_start_id back until it is null. The server chooses the page
 * size (1 000 in the field); the library assumes none. Deleted products come only when ts != 0. */
caffesta_status caffesta_products_page(caffesta_client *client, long long pos_id, long long start_id, long long ts,
                                       char **result_json);

/* Every product changed since ts, all pages followed: a JSON array of the items as the server
 * wrote them. */
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
 * timestamps and each feed are the server's text as written. Keep "timestamps" and pass it
 * next time. */
caffesta_status caffesta_sync_changes(caffesta_client *client, long long pos_id, const char *known_json,
                                      char **result_json);

/* ---- Sales exports ----
 * Give either start and end (ISO 8601: "2018-11-05", "2018-11-05T05:00", "2018-11-05T05:00+02:00";
 * without a zone the account's zone applies) with shift_day NULL, or shift_day ("YYYY-MM-DD")
 * with start and end NULL. */

/* Sales grouped by POS, price and product; the server answers {"data": [...], "success": true}
 * and result_json is the array: [{caf_terminal_id, caf_id, name, ref_code, price, qnt, deleted,
 * cash, card, cashless, bonus, credit, total_pay}] (values as strings). */
caffesta_status caffesta_sales_by_product(caffesta_client *client, const char *start, const char *end,
                                          const char *shift_day, char **result_json);

/* Sales grouped by POS: [{qnt, caf_terminal_id (an id or null), cafe_workspace_id (a workshop),
 * cash, card, cashless, credit, discount, total_pay}], from {"data": [...], "success": true}. */
caffesta_status caffesta_sales_by_pos(caffesta_client *client, const char *start, const char *end,
                                      const char *shift_day, char **result_json);

/* The same two exports with the optional grouping add_gr_by: "terminal_id" gives one row per
 * terminal (as field code uses it); NULL is the plain call. A name of 1 to 64 letters a-z and
 * '_'; anything else is INVALID_ARGUMENT. */
caffesta_status caffesta_sales_by_product_grouped(caffesta_client *client, const char *start, const char *end,
                                                  const char *shift_day, const char *add_gr_by,
                                                  char **result_json);
caffesta_status caffesta_sales_by_pos_grouped(caffesta_client *client, const char *start, const char *end,
                                              const char *shift_day, const char *add_gr_by, char **result_json);

/* Every receipt of one shift day ("YYYY-MM-DD") of one terminal, ungrouped, a bare array:
 * [{id, terminal_number, type "sale"|"prepayment", income 1 | -1, ..., bill_dishes [{id,
 *   parent_id (a modifier's line) | null, count (may be fractional), weight, dish {ref_code, ...},
 *   ...}]}]; receipts carry no client. */
caffesta_status caffesta_receipts_by_shift_day(caffesta_client *client, long long terminal_id, const char *date,
                                               char **result_json);

/* ---- Errors, memory, version ---- */

/* This thread's most recent call: a message naming the method, path, HTTP status and the
 * server's error text (from data.error, error, message, data.message or data.status, wherever
 * the server put it); "" after a success. Never contains the API key. Valid until this
 * thread's next call into the library; do not free. */
const char *caffesta_last_error(void);

/* This thread's most recent call: the status of the last HTTP status line received, 0 when none was;
 * also when the call failed after it (a 200 too large, cut off by the timeout, or without the id it
 * should carry), and a proxy's answer to CONNECT. */
int caffesta_last_http_status(void);

/* This thread's most recent call: what became of its request (caffesta_delivery above).
 * NOT_SENT after a call that sends nothing, ANSWERED after a call's success. */
caffesta_delivery caffesta_last_delivery(void);

/* The enum name of a status, "CAFFESTA_ERR_API"; "CAFFESTA_UNKNOWN" for other values.
 * Static storage: do not free. */
const char *caffesta_status_name(caffesta_status status);

/* Frees a string the library handed out. NULL: no-op. */
void caffesta_string_free(char *s);

/* The library's version at run time, "1.1.0". Static storage: do not free. */
const char *caffesta_version(void);

/* ---- FFI declarations end ---- */
