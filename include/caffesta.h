/* libcaffesta — a client for the Caffesta point-of-sale API, loadable from any language.
 *
 * Conventions (every function follows them):
 *   - Every fallible call returns a caffesta_status. CAFFESTA_OK is 0.
 *   - After any call, caffesta_last_error() and caffesta_last_http_status() describe this
 *     thread's most recent call ("" and 0 after a success without an HTTP answer).
 *   - Strings passed in are NUL-terminated UTF-8; the library copies what it keeps.
 *   - Every char* the library hands out is the caller's, freed with caffesta_string_free().
 *     Outputs are written only on CAFFESTA_OK; on any error *out is set to NULL.
 *   - One client may be used by several threads at once; freeing a client while another
 *     thread uses it is the caller's error.
 *   - No call crashes on bad input: NULL pointers, invalid UTF-8 and malformed JSON give
 *     CAFFESTA_ERR_INVALID_ARGUMENT.
 */
#ifndef CAFFESTA_H
#define CAFFESTA_H

#include <stddef.h>

#define CAFFESTA_VERSION_MAJOR 1
#define CAFFESTA_VERSION_MINOR 0
#define CAFFESTA_VERSION_PATCH 0
#define CAFFESTA_VERSION_STRING "1.0.0"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- FFI declarations begin (plain C only below: the PHP binding reads this part) ---- */

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
  CAFFESTA_ERR_INTERNAL = 13
} caffesta_status;

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

/* The library's version at run time, "1.0.0". Static storage: do not free. */
const char *caffesta_version(void);

/* ---- FFI declarations end ---- */

#ifdef __cplusplus
}
#endif

#endif /* CAFFESTA_H */
