/* Every function of include/caffesta.h, used as a POS would, against the emulator. */
#include "caffesta.h"
#include "harness.h"
#include <jansson.h>
#include <pthread.h>

/* A product body as docs/api.md shows it. */
static char *documented_product_json(const char *ref_code, const char *name) {
  json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:i, s:s, s:s, s:[{s:i, s:i, s:f, s:f}]}",
                        "ref_code", ref_code, "name", name, "measure", "pcs", "type", "product",
                        "cancellation_type", 0, "for_sale", 1, "use_discounts", 1, "caf_tax_id", 1,
                        "category_ref_code", "cat-c", "workspace_ref_code", "ws-c", "prices", "caf_shop_id", 2,
                        "caf_storage_id", 1, "price", 1.5, "self_cost", 0.5);
  char *text = json_dumps(p, JSON_COMPACT);
  json_decref(p);
  return text;
}

static json_t *parse(const char *text) { return text ? json_loads(text, 0, NULL) : NULL; }

static void test_version_and_status_names(void) {
  CHECK(strcmp(caffesta_version(), CAFFESTA_VERSION_STRING) == 0);
  CHECK(strcmp(caffesta_status_name(CAFFESTA_OK), "CAFFESTA_OK") == 0);
  CHECK(strcmp(caffesta_status_name(CAFFESTA_ERR_API), "CAFFESTA_ERR_API") == 0);
  CHECK(strcmp(caffesta_status_name(CAFFESTA_ERR_INTERNAL), "CAFFESTA_ERR_INTERNAL") == 0);
  CHECK(strcmp(caffesta_status_name((caffesta_status)999), "CAFFESTA_UNKNOWN") == 0);
  CHECK(strcmp(caffesta_status_name((caffesta_status)-1), "CAFFESTA_UNKNOWN") == 0);
  caffesta_string_free(NULL);
  caffesta_client_free(NULL);
}

static void test_auth(void) {
  caffesta_client *c = new_client();
  CHECK(c != NULL);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  CHECK(strcmp(caffesta_last_error(), "") == 0);
  CHECK(caffesta_last_http_status() == 200);
  caffesta_client_free(c);

  caffesta_client *wrong = caffesta_client_new("demo", "ffffffffffffffffffffffffffffffff");
  caffesta_client_set_base_url(wrong, emulator_url());
  CHECK_STATUS(caffesta_auth_test(wrong), CAFFESTA_ERR_UNAUTHORIZED);
  CHECK(caffesta_last_http_status() == 401);
  CHECK(strstr(caffesta_last_error(), "GET http") != NULL);
  CHECK(strstr(caffesta_last_error(), "/a/v1.0/storage/test") != NULL);
  CHECK(strstr(caffesta_last_error(), "ffffffff") == NULL); /* the key never shows */
  caffesta_client_free(wrong);
}

static void test_upsert_creates_then_updates(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  char *body = documented_product_json("c-latte", "Латте");
  char *result = NULL;
  CHECK_STATUS(caffesta_product_upsert(c, body, &result), CAFFESTA_OK);
  json_t *r = parse(result);
  CHECK(r && strcmp(json_string_value(json_object_get(r, "action")), "created") == 0);
  CHECK(r && strcmp(json_string_value(json_object_get(r, "ref_code")), "c-latte") == 0);
  json_int_t id = json_integer_value(json_object_get(r, "id"));
  CHECK(id > 0);
  json_decref(r);
  caffesta_string_free(result);

  result = NULL;
  CHECK_STATUS(caffesta_product_upsert(c, body, &result), CAFFESTA_OK);
  r = parse(result);
  CHECK(r && strcmp(json_string_value(json_object_get(r, "action")), "updated") == 0);
  CHECK(r && json_integer_value(json_object_get(r, "id")) == id);
  json_decref(r);
  caffesta_string_free(result);
  free(body);

  char *read = NULL;
  CHECK_STATUS(caffesta_request(c, "GET", "/a/v1.0/product/by_ref_code/c-latte", NULL, &read), CAFFESTA_OK);
  r = parse(read);
  json_t *data = json_object_get(r, "data");
  CHECK(strcmp(json_string_value(json_object_get(data, "name")), "Латте") == 0);
  json_decref(r);
  caffesta_string_free(read);
  caffesta_client_free(c);
}

static void test_odd_ref_codes_round_trip(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  const char *codes[] = {"a/b", "what?x=1", "hash#tag", "..", ".", "with space", "Кофе-латте", "100%", "a%2Fb"};
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
    char *body = documented_product_json(codes[i], "odd");
    char *result = NULL;
    CHECK_STATUS(caffesta_product_upsert(c, body, &result), CAFFESTA_OK);
    json_t *r = parse(result);
    CHECK(r && strcmp(json_string_value(json_object_get(r, "ref_code")), codes[i]) == 0);
    CHECK(r && strcmp(json_string_value(json_object_get(r, "action")), "created") == 0);
    json_decref(r);
    caffesta_string_free(result);
    result = NULL;
    CHECK_STATUS(caffesta_product_upsert(c, body, &result), CAFFESTA_OK);
    r = parse(result);
    CHECK(r && strcmp(json_string_value(json_object_get(r, "action")), "updated") == 0);
    json_decref(r);
    caffesta_string_free(result);
    free(body);
  }
  CHECK(emulator_stat("products") >= (long)(sizeof codes / sizeof *codes));
  /* Each PUT went to exactly one segment after by_ref_code/. */
  char *log = emulator_admin("GET", "/__emulator/requests", NULL);
  json_t *requests = parse(log);
  size_t i;
  json_t *req;
  int puts = 0;
  json_array_foreach(requests, i, req) {
    const char *path = json_string_value(json_object_get(req, "path"));
    const char *method = json_string_value(json_object_get(req, "method"));
    if (strcmp(method, "PUT") != 0) continue;
    puts++;
    const char *segment = path + strlen("/a/v1.0/product/by_ref_code/");
    CHECK(strncmp(path, "/a/v1.0/product/by_ref_code/", 28) == 0);
    CHECK(strchr(segment, '/') == NULL && strchr(segment, '?') == NULL && strchr(segment, '#') == NULL);
  }
  CHECK(puts == 2 * (int)(sizeof codes / sizeof *codes));
  json_decref(requests);
  free(log);
  caffesta_client_free(c);
}

static void test_request_methods_and_answers(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  char *out = (char *)1;
  CHECK_STATUS(caffesta_request(c, "GET", "/a/v1.0/draft/storages", NULL, &out), CAFFESTA_OK);
  json_t *storages = parse(out);
  CHECK(json_is_object(storages) && json_object_size(storages) > 0);
  json_decref(storages);
  caffesta_string_free(out);

  out = (char *)1;
  CHECK_STATUS(caffesta_request(c, "GET", "/a/v1.0/no/such/endpoint", NULL, &out), CAFFESTA_ERR_NOT_FOUND);
  CHECK(out == NULL);
  CHECK(caffesta_last_http_status() == 404);

  CHECK_STATUS(caffesta_request(c, "TRACE", "/a/v1.0/storage/test", NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_request(c, "get", "/a/v1.0/storage/test", NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  /* An invoice without its required fields: HTTP 200 whose body says error. */
  CHECK_STATUS(caffesta_request(c, "POST", "/a/v1.0/storage/invoices", "{}", &out), CAFFESTA_ERR_API);
  CHECK(caffesta_last_http_status() == 200);
  CHECK(strstr(caffesta_last_error(), "POST http") != NULL);
  CHECK(strstr(caffesta_last_error(), "/a/v1.0/storage/invoices") != NULL);
  /* Wrong method on a known path: 405, another HTTP status. */
  CHECK_STATUS(caffesta_request(c, "DELETE", "/a/v1.0/storage/test", NULL, &out), CAFFESTA_ERR_HTTP);
  CHECK(caffesta_last_http_status() == 405);
  caffesta_client_free(c);
}

static void test_every_status_from_faults(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  char *out = NULL;
  CHECK_STATUS(caffesta_client_set_max_retries(c, 0), CAFFESTA_OK);
  emulator_fault("{\"kind\":\"status\",\"status\":429,\"retry_after\":1,\"path_prefix\":\"/a/v1.0/storage/test\"}");
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_RATE_LIMITED);
  CHECK(caffesta_last_http_status() == 429);
  emulator_fault("{\"kind\":\"status\",\"status\":500,\"path_prefix\":\"/a/v1.0/storage/test\"}");
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_SERVER);
  CHECK(caffesta_last_http_status() == 500);
  emulator_fault("{\"kind\":\"status\",\"status\":503,\"path_prefix\":\"/a/v1.0/storage/test\"}");
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_SERVER);
  emulator_fault("{\"kind\":\"html\",\"status\":502,\"path_prefix\":\"/a/v1.0/storage/test\"}");
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_SERVER);
  CHECK(strstr(caffesta_last_error(), "HTML") != NULL);
  emulator_fault("{\"kind\":\"html200\",\"path_prefix\":\"/a/v1.0/storage/test\"}");
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_PROTOCOL);
  emulator_fault("{\"kind\":\"empty\",\"path_prefix\":\"/a/v1.0/storage/test\"}");
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_PROTOCOL);
  emulator_fault("{\"kind\":\"truncate\",\"path_prefix\":\"/a/v1.0/draft/storages\"}");
  CHECK_STATUS(caffesta_request(c, "GET", "/a/v1.0/draft/storages", NULL, &out), CAFFESTA_ERR_NETWORK);
  emulator_fault("{\"kind\":\"close\",\"path_prefix\":\"/a/v1.0/storage/test\"}");
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_NETWORK);
  emulator_fault("{\"kind\":\"hang\",\"delay_ms\":3000,\"path_prefix\":\"/a/v1.0/storage/test\"}");
  CHECK_STATUS(caffesta_client_set_timeouts(c, 200, 400), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_TIMEOUT);
  CHECK(caffesta_last_http_status() == 0);
  /* The client is usable afterwards. */
  CHECK_STATUS(caffesta_client_set_timeouts(c, 10000, 60000), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK);
  emulator_fault("{\"kind\":\"oversize\",\"size_bytes\":3000000,\"path_prefix\":\"/a/v1.0/draft/storages\"}");
  CHECK_STATUS(caffesta_client_set_max_response_size(c, 1 << 20), CAFFESTA_OK);
  CHECK_STATUS(caffesta_request(c, "GET", "/a/v1.0/draft/storages", NULL, &out), CAFFESTA_ERR_PROTOCOL);
  CHECK(strstr(caffesta_last_error(), "larger") != NULL);
  caffesta_client_free(c);

  /* Nothing listens on port 1: a network error, even after retries. */
  caffesta_client *closed = caffesta_client_new("demo", emulator_key());
  CHECK_STATUS(caffesta_client_set_base_url(closed, "http://127.0.0.1:1"), CAFFESTA_OK);
  CHECK_STATUS(caffesta_client_set_max_retries(closed, 1), CAFFESTA_OK);
  CHECK_STATUS(caffesta_auth_test(closed), CAFFESTA_ERR_NETWORK);
  CHECK(caffesta_last_http_status() == 0);
  caffesta_client_free(closed);
}

static void test_retries_recover(void) {
  emulator_reset();
  caffesta_client *c = new_client();
  emulator_fault("{\"kind\":\"status\",\"status\":503,\"count\":2,\"path_prefix\":\"/a/v1.0/storage/test\"}");
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_OK); /* two retries by default */
  emulator_fault("{\"kind\":\"status\",\"status\":503,\"count\":3,\"path_prefix\":\"/a/v1.0/storage/test\"}");
  CHECK_STATUS(caffesta_auth_test(c), CAFFESTA_ERR_SERVER);
  CHECK(strstr(caffesta_last_error(), "retried 2 times") != NULL);
  caffesta_client_free(c);
}

static void test_bad_input_everywhere(void) {
  char *out = (char *)1;
  CHECK(caffesta_client_new(NULL, "k") == NULL);
  CHECK(strstr(caffesta_last_error(), "account_name") != NULL);
  CHECK(caffesta_client_new("demo", NULL) == NULL);
  CHECK(caffesta_client_new("evil.com/x", "key") == NULL);
  CHECK(caffesta_client_new("a@b", "key") == NULL);
  CHECK(caffesta_client_new("", "key") == NULL);
  CHECK(caffesta_client_new("demo", "") == NULL);
  CHECK(caffesta_client_new("demo", "key\r\nX-Injected: 1") == NULL);
  CHECK(caffesta_client_new("demo", "\xff\xfe") == NULL);
  CHECK(caffesta_client_new("d\xc3\x28", "key") == NULL);

  CHECK_STATUS(caffesta_auth_test(NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_base_url(NULL, "http://x"), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_timeouts(NULL, 1, 1), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_retries(NULL, 1), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_ca_file(NULL, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_response_size(NULL, 4096), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_product_upsert(NULL, "{}", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK_STATUS(caffesta_request(NULL, "GET", "/", NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);

  caffesta_client *c = new_client();
  CHECK_STATUS(caffesta_client_set_base_url(c, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_base_url(c, "ftp://x"), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_base_url(c, "http://user:pw@evil.com"), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_base_url(c, "http://evil.com/#"), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_timeouts(c, 0, 100), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_timeouts(c, 100, -5), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_timeouts(c, 500, 100), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_retries(c, -1), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_retries(c, 11), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_max_response_size(c, 10), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_ca_file(c, ""), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_ca_file(c, NULL), CAFFESTA_OK);

  const char *bad_products[] = {"not json", "[1,2]", "\"text\"", "{}", "{\"ref_code\": 5}", "{\"ref_code\": \"\"}",
                                "{\"ref_code\": \"a\", \"ref_code\": \"b\"}", "{\"ref_code\": \"\xff\"}", "{\"ref_code\""};
  for (size_t i = 0; i < sizeof bad_products / sizeof *bad_products; i++) {
    out = (char *)1;
    CHECK_STATUS(caffesta_product_upsert(c, bad_products[i], &out), CAFFESTA_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
  }
  CHECK_STATUS(caffesta_product_upsert(c, NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_product_upsert(c, "{\"ref_code\":\"x\"}", NULL), CAFFESTA_ERR_INVALID_ARGUMENT);

  /* A 1 MB ref_code is refused before any request. */
  size_t big = 1 << 20;
  char *huge = malloc(big + 32);
  strcpy(huge, "{\"ref_code\":\"");
  memset(huge + 13, 'r', big);
  strcpy(huge + 13 + big, "\"}");
  CHECK_STATUS(caffesta_product_upsert(c, huge, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  free(huge);

  const char *bad_paths[] = {"http://other/", "//other/x", "relative", "", "/a b", "/a\r\nX: y", "/x#frag"};
  for (size_t i = 0; i < sizeof bad_paths / sizeof *bad_paths; i++) {
    CHECK_STATUS(caffesta_request(c, "GET", bad_paths[i], NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  }
  CHECK_STATUS(caffesta_request(c, NULL, "/", NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_request(c, "GET", NULL, NULL, &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_request(c, "POST", "/a/v1.0/product/", "{bad", &out), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_request(c, "GET", "/a/v1.0/storage/test", NULL, NULL), CAFFESTA_ERR_INVALID_ARGUMENT);
  /* None of that reached the server. */
  caffesta_client_free(c);
}

#define THREADS 8
#define UPSERTS_PER_THREAD 200
static caffesta_client *shared_client;
static int thread_failures[THREADS];

static void *upsert_many(void *arg) {
  int t = (int)(long)arg;
  for (int i = 0; i < UPSERTS_PER_THREAD; i++) {
    char ref[64];
    snprintf(ref, sizeof ref, "t%d-p%d", t, i);
    char *body = documented_product_json(ref, "threaded");
    char *result = NULL;
    if (caffesta_product_upsert(shared_client, body, &result) != CAFFESTA_OK) thread_failures[t]++;
    else if (!strstr(result, "\"created\"")) thread_failures[t]++;
    caffesta_string_free(result);
    free(body);
  }
  return NULL;
}

static void test_threads_share_one_client(void) {
  emulator_reset();
  long before = emulator_stat("products");
  shared_client = new_client();
  pthread_t threads[THREADS];
  for (long t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, upsert_many, (void *)t);
  int failures = 0;
  for (int t = 0; t < THREADS; t++) { pthread_join(threads[t], NULL); failures += thread_failures[t]; }
  CHECK(failures == 0);
  CHECK(emulator_stat("products") - before == THREADS * UPSERTS_PER_THREAD);
  caffesta_client_free(shared_client);
}

int main(void) {
  static const test_case tests[] = {
    {"version_and_status_names", test_version_and_status_names},
    {"auth", test_auth},
    {"upsert_creates_then_updates", test_upsert_creates_then_updates},
    {"odd_ref_codes_round_trip", test_odd_ref_codes_round_trip},
    {"request_methods_and_answers", test_request_methods_and_answers},
    {"every_status_from_faults", test_every_status_from_faults},
    {"retries_recover", test_retries_recover},
    {"bad_input_everywhere", test_bad_input_everywhere},
    {"threads_share_one_client", test_threads_share_one_client},
  };
  return run_tests(tests, sizeof tests / sizeof *tests);
}
