/* The library against servers nobody here wrote (issue 13): nginx with TLS and HTTP/2 (and plain
 * HTTP/1.1), tinyproxy, and httpbin from PyPI, each started by this suite on free loopback
 * ports with a configuration generated into a temporary directory. nginx answers from its
 * configuration (no backend): its access log is the record of what arrived, and $connection,
 * nginx's serial number of the TCP connection, comes back as data.id, so a test sees which
 * connection each request used. */
#define _DEFAULT_SOURCE
#include "caffesta.h"
#include "harness.h"
#include "peers.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *KEY = "peers-key-7f3a9c2e51d04b68";
static nginx_peer h2;      /* TLS + HTTP/2, default keep-alive */
static nginx_peer h2_goaway; /* TLS + HTTP/2, keepalive_requests 50: a GOAWAY every 50 requests */
static nginx_peer plain;   /* HTTP/1.1 without TLS */
static nginx_peer h1_tls;  /* HTTP/1.1 over TLS */
static process_peer httpbin;

/* What every nginx here answers. DIR is replaced by the peer's directory. */
static const char *SERVER_BLOCK =
  "location ^~ /a/v1.0/product/by_ref_code/ { return 404 '{\"success\":false,\"data\":{\"error\":\"product not found\"}}'; }\n"
  "location = /a/v1.0/product/ { return 200 '{\"success\":true,\"data\":{\"id\":$connection}}'; }\n"
  "location = /echo { return 200 '{\"success\":true,\"data\":{\"id\":$connection}}'; }\n"
  "location ^~ /raw/ { return 200 '{\"uri\":\"$request_uri\"}'; }\n"
  "location ^~ /noid/a/v1.0/product/by_ref_code/ { if ($request_method = GET) { return 200 '{\"success\":true,\"data\":{\"id\":77}}'; }"
  " return 200 '{\"success\":true,\"data\":{}}'; }\n"
  "location ^~ /neg/a/v1.0/product/ { return 200 '{\"success\":true,\"data\":{\"id\":-1}}'; }\n"
  "location ^~ /zero/a/v1.0/product/ { return 200 '{\"success\":true,\"data\":{\"id\":0}}'; }\n"
  "location = /busy { add_header Retry-After 7 always; return 503 '{\"success\":false,\"data\":{\"error\":\"busy\"}}'; }\n"
  "location = /html { default_type text/html; return 502 '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>'; }\n"
  "location = /hangup { return 444; }\n"
  "location = /big { alias DIR/big.json; }\n"
  "location = /bomb-gzip { alias DIR/bomb.gz; add_header Content-Encoding gzip; }\n"
  "location = /bomb-deflate { alias DIR/bomb.zz; add_header Content-Encoding deflate; }\n"
  "location = /zstd { alias DIR/big.json; add_header Content-Encoding zstd; }\n";

static char *server_block(void) {
  /* DIR → the suite's directory, where the served files are */
  size_t size = strlen(SERVER_BLOCK) + 64 * strlen(peers_dir());
  char *out = malloc(size), *o = out;
  for (const char *s = SERVER_BLOCK; *s;) {
    if (strncmp(s, "DIR", 3) == 0) { o += sprintf(o, "%s", peers_dir()); s += 3; }
    else *o++ = *s++;
  }
  *o = '\0';
  return out;
}

static caffesta_client *client_for(const char *base) {
  caffesta_client *c = caffesta_client_new("peers", KEY);
  caffesta_client_set_base_url(c, base);
  caffesta_client_set_ca_file(c, peers_cert());
  caffesta_client_set_proxy(c, "direct");
  caffesta_client_set_timeouts(c, 5000, 20000);
  return c;
}

/* data.id of a request's answer (nginx's connection number), -1 on failure. */
static long long connection_of(caffesta_client *c, const char *method) {
  char *out = NULL;
  long long id = -1;
  if (caffesta_request(c, method, "/echo", strcmp(method, "GET") ? "{}" : NULL, &out) == CAFFESTA_OK) {
    json_t *j = parsed(out);
    id = json_integer_value(json_object_get(json_object_get(j, "data"), "id"));
    json_decref(j);
  }
  caffesta_string_free(out);
  return id;
}

static char *products(int count, const char *prefix) {
  json_t *list = json_array();
  for (int i = 0; i < count; i++) {
    char ref[64];
    snprintf(ref, sizeof ref, "%s-%d", prefix, i);
    json_array_append_new(list, json_pack("{s:s, s:s, s:f}", "ref_code", ref, "title", "peer", "price", 1.5));
  }
  char *text = json_dumps(list, JSON_COMPACT);
  json_decref(list);
  return text;
}

/* Distinct connection numbers in the access log's lines holding `needle`; also whether they
 * are consecutive (no connection opened in between that carried no request). */
static int log_connections(nginx_peer *peer, const char *needle, int *consecutive) {
  char path[600];
  snprintf(path, sizeof path, "%s/access.log", peer->dir);
  char *log = read_file(path);
  static char seen[100000];
  memset(seen, 0, sizeof seen);
  long lo = -1, hi = -1;
  int distinct = 0;
  for (char *line = log ? strtok(log, "\n") : NULL; line; line = strtok(NULL, "\n")) {
    if (needle && !strstr(line, needle)) continue;
    long id = atol(line);
    if (id <= 0 || id >= (long)sizeof seen) continue;
    if (!seen[id]) { seen[id] = 1; distinct++; }
    if (lo < 0 || id < lo) lo = id;
    if (id > hi) hi = id;
  }
  free(log);
  if (consecutive) *consecutive = distinct > 0 && hi - lo + 1 == distinct;
  return distinct;
}

/* ---- 1. HTTP/2 and HTTP/1.1 connections ---- */

/* nginx closes an HTTP/2 connection after 50 requests with a GOAWAY naming the last stream it
 * processed: the creates (POSTs) sent above it were never processed and are sent again, once. */
static void test_http2_goaway_resends_exactly_the_unprocessed_writes(void) {
  caffesta_client *c = client_for(h2_goaway.url);
  char *items = products(400, "goaway"), *report = NULL;
  int before_posts = nginx_log_count(&h2_goaway, "POST /a/v1.0/product/ HTTP/2.0 200");
  CHECK_STATUS(caffesta_products_upsert_many(c, items, 8, &report), CAFFESTA_OK);
  json_t *r = parsed(report);
  int created = 0;
  for (size_t i = 0; i < json_array_size(r); i++) {
    const char *action = json_string_value(json_object_get(json_array_get(r, i), "action"));
    if (action && strcmp(action, "created") == 0) created++;
    else if (created >= 0) {
      fprintf(stderr, "  item %zu: %s\n", i, json_dumps(json_array_get(r, i), JSON_COMPACT));
      created = -100000;
    }
  }
  CHECK(created == 400);
  /* 400 creates reported and exactly 400 POSTs processed by nginx: each arrived once. */
  CHECK(nginx_log_count(&h2_goaway, "POST /a/v1.0/product/ HTTP/2.0 200") - before_posts == 400);
  /* 800 requests, 50 a connection: at least 16 connections; a stream refused in flight may
   * start one more at once (at most one per transfer in flight); none opened without a request. */
  int consecutive = 0;
  int connections = log_connections(&h2_goaway, NULL, &consecutive);
  CHECK(connections >= 16 && connections <= 16 + 8);
  if (connections > 16 + 8) fprintf(stderr, "  %d connections\n", connections);
  CHECK(consecutive);
  json_decref(r);
  caffesta_string_free(report);
  free(items);
  caffesta_client_free(c);
}

static void test_bulk_uses_one_http2_connection_or_one_per_concurrency_over_http1(void) {
  caffesta_client *c = client_for(h2.url);
  char *items = products(100, "multiplex"), *report = NULL;
  int before = nginx_log_count(&h2, "HTTP/2.0");
  CHECK_STATUS(caffesta_products_upsert_many(c, items, 8, &report), CAFFESTA_OK);
  CHECK(nginx_log_count(&h2, "HTTP/2.0") - before == 200);
  CHECK(nginx_log_count(&h2, "HTTP/1.1") == 0);
  int consecutive = 0;
  CHECK(log_connections(&h2, "multiplex", &consecutive) == 1);
  caffesta_string_free(report);
  caffesta_client_free(c);

  c = client_for(plain.url);
  report = NULL;
  CHECK_STATUS(caffesta_products_upsert_many(c, items, 4, &report), CAFFESTA_OK);
  int h1 = log_connections(&plain, "multiplex", &consecutive);
  CHECK(h1 >= 1 && h1 <= 4);
  CHECK(nginx_log_count(&plain, "PUT /a/v1.0/product/by_ref_code/multiplex") == 100);
  caffesta_string_free(report);
  caffesta_client_free(c);
  free(items);
}

/* HTTP/1.1 has no GOAWAY: a write never goes out on a connection idle for a second or more
 * (a server may be closing it just then); reads may use it. */
static void test_write_after_idle_goes_on_a_fresh_connection(void) {
  caffesta_client *c = client_for(plain.url);
  long long first = connection_of(c, "POST");
  CHECK(first > 0);
  CHECK(connection_of(c, "POST") == first); /* not idle: reused */
  sleep_ms(1300);
  CHECK(connection_of(c, "GET") == first); /* a read may use an idle connection */
  sleep_ms(1300);
  long long fresh = connection_of(c, "POST");
  CHECK(fresh > 0 && fresh != first); /* a write after 1.3 s idle: a new connection */
  CHECK(connection_of(c, "PATCH") == fresh);
  caffesta_client_free(c);
}

/* ---- 2. fork ---- */

/* The parent's TLS connection goes through a relay that counts what clients send on it: a
 * child that frees the inherited client, calls and exits, or exits without freeing, sends
 * nothing on it (no TLS close_notify, no HTTP/2 GOAWAY), and the parent goes on using it.
 * Over HTTP/1.1 and HTTP/2: with libcurl 7.88 a child's free ends an HTTP/1.1 TLS connection
 * (the parent's next request reconnects or fails) but leaves an HTTP/2 one alone. */
static void forked_children_leave_alone(nginx_peer *peer) {
  relay *r = relay_start(peer->port);
  char url[100];
  snprintf(url, sizeof url, "https://127.0.0.1:%d", relay_port(r));
  caffesta_client *c = client_for(url);
  long long parent = connection_of(c, "POST");
  CHECK(parent > 0);
  for (int behaviour = 0; behaviour < 3; behaviour++) {
    size_t sent_before = relay_settled(r);
    pid_t pid = fork();
    if (pid == 0) {
      if (behaviour == 0) { caffesta_client_free(c); _exit(0); }          /* frees without calling */
      if (behaviour == 1) { long long own = connection_of(c, "POST");       /* calls, then exits */
                            exit(own > 0 && own != parent ? 0 : 1); }
      exit(0);                                                              /* exits without freeing */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (behaviour != 1) CHECK(relay_settled(r) == sent_before); /* not a byte from the child */
    CHECK(connection_of(c, "GET") == parent); /* the parent's connection is the same, alive */
    int ok = 0;
    for (int i = 0; i < 20; i++) ok += connection_of(c, "POST") == parent;
    CHECK(ok == 20);
  }
  caffesta_client_free(c);
  relay_stop(r);
}

static void test_forked_child_never_touches_the_parents_tls_connection(void) {
  forked_children_leave_alone(&h2);
  forked_children_leave_alone(&h1_tls);
}

/* ---- 3. compression ---- */

/* Peak RSS (KiB) of a child that makes one request of `path` with a 4 MiB limit; *status is the call's. */
static long child_peak_kib(const char *base, const char *path, caffesta_status *status) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    caffesta_client *c = client_for(base);
    caffesta_client_set_max_response_size(c, 4 << 20);
    char *out = NULL;
    int s = caffesta_request(c, "GET", path, NULL, &out);
    if (write(fds[1], &s, sizeof s) != sizeof s) _exit(2);
    _exit(0);
  }
  close(fds[1]);
  int s = -1;
  if (read(fds[0], &s, sizeof s) != sizeof s) s = -1;
  close(fds[0]);
  struct rusage usage;
  int wstatus;
  wait4(pid, &wstatus, 0, &usage);
  *status = (caffesta_status)s;
  return usage.ru_maxrss;
}

static void test_decompression_bombs_stop_at_the_limit_in_bounded_memory(void) {
  caffesta_status status;
  long base = child_peak_kib(h2.url, "/echo", &status);
  CHECK(status == CAFFESTA_OK);
  const char *bombs[] = {"/bomb-gzip", "/bomb-deflate"};
  for (int i = 0; i < 2; i++) {
    long peak = child_peak_kib(h2.url, bombs[i], &status);
    CHECK(status == CAFFESTA_ERR_PROTOCOL); /* 256 MiB of JSON: larger than the 4 MiB limit */
    /* the limit (4 MiB) and decoder buffers, far from the 256 MiB the bomb expands to */
    CHECK(peak - base < 16 * 1024);
    if (peak - base >= 16 * 1024) fprintf(stderr, "  %s: peak %ld KiB, baseline %ld KiB\n", bombs[i], peak, base);
  }
  /* Only the bounded decoders are offered... */
  CHECK(nginx_log_count(&h2, "GET /bomb-gzip HTTP/2.0 200 [gzip, deflate]") == 1);
  /* ...and a coding that was not offered is refused, not decoded: zstd from nginx, br from httpbin */
  caffesta_client *c = client_for(h2.url);
  char *out = NULL;
  CHECK_STATUS(caffesta_request(c, "GET", "/zstd", NULL, &out), CAFFESTA_ERR_PROTOCOL);
  CHECK(strstr(caffesta_last_error(), "Content-Encoding \"zstd\" was not offered") != NULL);
  caffesta_client_free(c);
  c = client_for(httpbin.url);
  CHECK_STATUS(caffesta_request(c, "GET", "/brotli", NULL, &out), CAFFESTA_ERR_PROTOCOL);
  CHECK(strstr(caffesta_last_error(), "Content-Encoding \"br\" was not offered") != NULL);
  /* what httpbin's /gzip and /deflate send decodes as it should */
  CHECK_STATUS(caffesta_request(c, "GET", "/gzip", NULL, &out), CAFFESTA_OK);
  json_t *gzipped = parsed(out);  /* the body as httpbin wrote it (pretty-printed) */
  CHECK(json_is_true(json_object_get(gzipped, "gzipped")));
  json_decref(gzipped);
  caffesta_string_free(out);
  out = NULL;
  CHECK_STATUS(caffesta_request(c, "GET", "/deflate", NULL, &out), CAFFESTA_OK);
  json_t *deflated = parsed(out);  /* the body as httpbin wrote it (pretty-printed) */
  CHECK(json_is_true(json_object_get(deflated, "deflated")));
  json_decref(deflated);
  caffesta_string_free(out);
  caffesta_client_free(c);
}

/* ---- 4. paths ---- */

static void test_paths_are_sent_as_written_or_refused_unsent(void) {
  char prefixed[200];
  snprintf(prefixed, sizeof prefixed, "%s/raw/prefix", plain.url);
  caffesta_client *c = client_for(prefixed);
  char *out = NULL;
  CHECK_STATUS(caffesta_request(c, "GET", "/a/%2F/b;c=d?x=1&y=%20z:@!$'()*+,", NULL, &out), CAFFESTA_OK);
  CHECK(out && strstr(out, "\"uri\":\"/raw/prefix/a/%2F/b;c=d?x=1&y=%20z:@!$'()*+,\""));
  caffesta_string_free(out);
  out = NULL;
  CHECK_STATUS(caffesta_request(c, "GET", "/caf\xc3\xa9", NULL, &out), CAFFESTA_OK); /* UTF-8 is percent-encoded */
  CHECK(out && strstr(out, "\"uri\":\"/raw/prefix/caf%C3%A9\""));
  caffesta_string_free(out);
  int before = nginx_log_count(&plain, NULL);
  const char *refused[] = {"/a/../b", "/../../echo", "/./a", "/a/..", "/a<b", "/a>b",
                           "/a\"b", "/a{b", "/a}b", "/a|b", "/a^b", "/a`b", "/a b", "/a\\b", "/a#b", "/a%zz",
                           "/a%4", "/a?x=<"};
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    out = NULL;
    caffesta_status s = caffesta_request(c, "GET", refused[i], NULL, &out);
    CHECK(s == CAFFESTA_ERR_INVALID_ARGUMENT);
    if (s != CAFFESTA_ERR_INVALID_ARGUMENT) fprintf(stderr, "  %s was not refused\n", refused[i]);
  }
  CHECK(nginx_log_count(&plain, NULL) == before); /* nothing sent */
  /* "..." and ".x" are names, not dot-segments; "%2E%2E" is data, as the library encodes a
   * ref_code "..": sent as written, not turned into a step up by libcurl */
  CHECK_STATUS(caffesta_request(c, "GET", "/.../.x/%2E%2E/y", NULL, &out), CAFFESTA_OK);
  CHECK(out && strstr(out, "\"uri\":\"/raw/prefix/.../.x/%2E%2E/y\""));
  caffesta_string_free(out);
  caffesta_client_free(c);
  char dotted[200];
  snprintf(dotted, sizeof dotted, "%s/raw/../echo", plain.url);
  c = caffesta_client_new("peers", KEY);
  CHECK_STATUS(caffesta_client_set_base_url(c, dotted), CAFFESTA_ERR_INVALID_ARGUMENT);
  caffesta_client_free(c);
}

/* ---- 5. proxies ---- */

/* How many tunnels a relay has carried: its CONNECT lines. (Byte counts are not enough: an idle
 * HTTP/2 tunnel may still carry a WINDOW_UPDATE or an ACK when libcurl checks it is alive.) */
static size_t connects_in(const char *seen) {
  size_t n = 0;
  for (const char *p = seen; (p = strstr(p, "CONNECT ")) != NULL; p += 8) n++;
  return n;
}

static size_t connects_in_relay(relay *r) {
  char *seen = relay_seen(r);
  size_t n = connects_in(seen);
  free(seen);
  return n;
}

static void test_proxy_from_the_environment_or_set_never_gets_the_key(void) {
  process_peer proxy = {0};
  if (tinyproxy_start(&proxy, "tinyproxy-open", "Allow 127.0.0.1\n") != 0) { CHECK(0); return; }
  relay *r = relay_start(proxy.port);
  char relay_url[128], *out = NULL;
  snprintf(relay_url, sizeof relay_url, "http://127.0.0.1:%d", relay_port(r));

  /* https_proxy from the environment: the request goes through the proxy, as a tunnel */
  setenv("https_proxy", relay_url, 1);
  unsetenv("no_proxy");
  unsetenv("NO_PROXY");
  caffesta_client *c = caffesta_client_new("peers", KEY);
  caffesta_client_set_base_url(c, h2.url);
  caffesta_client_set_ca_file(c, peers_cert());
  CHECK_STATUS(caffesta_request(c, "GET", "/echo", NULL, &out), CAFFESTA_OK);
  caffesta_string_free(out);
  char *seen = relay_seen(r);
  char connect_line[128];
  snprintf(connect_line, sizeof connect_line, "CONNECT 127.0.0.1:%d HTTP/1.1", h2.port);
  CHECK(strstr(seen, connect_line) != NULL);
  CHECK(strstr(seen, KEY) == NULL); /* the key went inside TLS to the server, never to the proxy */
  CHECK(strstr(seen, "X-API-KEY") == NULL && strstr(seen, "x-api-key") == NULL);
  size_t seen_before = strlen(seen);
  free(seen);
  /* ...and arrived at the server */
  CHECK(nginx_log_count(&h2, KEY) > 0);

  /* no_proxy exempts the host: libcurl goes direct, and a failure there is not the proxy's */
  setenv("no_proxy", "127.0.0.1", 1);
  CHECK_STATUS(caffesta_request(c, "GET", "/echo", NULL, &out), CAFFESTA_OK);
  caffesta_string_free(out);
  seen = relay_seen(r);
  CHECK(connects_in(seen) == 1); /* no new tunnel (the idle one may still carry HTTP/2 upkeep) */
  free(seen);
  char closed[100];
  snprintf(closed, sizeof closed, "https://127.0.0.1:%d", free_port());
  caffesta_client *down = client_for(closed);
  caffesta_client_set_proxy(down, NULL); /* the environment's */
  caffesta_client_set_max_retries(down, 0);
  CHECK_STATUS(caffesta_request(down, "GET", "/echo", NULL, &out), CAFFESTA_ERR_NETWORK);
  CHECK(strstr(caffesta_last_error(), "proxy") == NULL);
  unsetenv("no_proxy");
  CHECK_STATUS(caffesta_request(down, "GET", "/echo", NULL, &out), CAFFESTA_ERR_NETWORK); /* via the proxy: */
  CHECK(strstr(caffesta_last_error(), "could not open a tunnel") != NULL);    /* it could not reach the server */
  caffesta_client_free(down);
  seen_before = relay_sent(r);

  /* "direct": no proxy whatever the environment says */
  CHECK_STATUS(caffesta_client_set_proxy(c, "direct"), CAFFESTA_OK);
  size_t connects_before = connects_in_relay(r);
  CHECK_STATUS(caffesta_request(c, "GET", "/echo", NULL, &out), CAFFESTA_OK);
  caffesta_string_free(out);
  CHECK(connects_in_relay(r) == connects_before);
  unsetenv("https_proxy");

  /* set explicitly, without any environment */
  CHECK_STATUS(caffesta_client_set_proxy(c, relay_url), CAFFESTA_OK);
  CHECK_STATUS(caffesta_request(c, "GET", "/echo", NULL, &out), CAFFESTA_OK);
  caffesta_string_free(out);
  seen = relay_seen(r);
  CHECK(strlen(seen) > seen_before && strstr(seen, KEY) == NULL);
  free(seen);
  CHECK_STATUS(caffesta_client_set_proxy(c, "ftp://x"), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_proxy(c, "http://a b"), CAFFESTA_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(caffesta_client_set_proxy(c, NULL), CAFFESTA_OK);
  caffesta_client_free(c);
  relay_stop(r);
  process_stop(&proxy);
}

static void test_a_proxys_refusal_is_named_as_the_proxys_and_not_retried(void) {
  process_peer auth = {0}, denied = {0};
  if (tinyproxy_start(&auth, "tinyproxy-auth", "Allow 127.0.0.1\nBasicAuth alice s3cret-pw\n") != 0 ||
      tinyproxy_start(&denied, "tinyproxy-denied", "Allow 10.9.8.7\n") != 0) {
    CHECK(0);
    return;
  }
  relay *r = relay_start(auth.port);
  char with_password[200], no_password[200], *out = NULL;
  snprintf(with_password, sizeof with_password, "http://alice:wrong-pw@127.0.0.1:%d", relay_port(r));
  snprintf(no_password, sizeof no_password, "http://127.0.0.1:%d", relay_port(r));

  /* 407 to CONNECT (https:// base URL) */
  caffesta_client *c = client_for(h2.url);
  caffesta_client_set_proxy(c, with_password);
  CHECK_STATUS(caffesta_request(c, "GET", "/echo", NULL, &out), CAFFESTA_ERR_PROXY);
  /* tinyproxy 1.11 answers a failed BasicAuth with 401 to CONNECT and 407 to a plain request */
  CHECK(caffesta_last_http_status() == 401 || caffesta_last_http_status() == 407);
  char named[200];
  snprintf(named, sizeof named, "the proxy http://alice@127.0.0.1:%d", relay_port(r));
  CHECK(strstr(caffesta_last_error(), named) != NULL);
  CHECK(strstr(caffesta_last_error(), "wrong-pw") == NULL && strstr(caffesta_last_error(), KEY) == NULL);
  char *seen = relay_seen(r);
  int connects = 0;
  for (char *p = seen; (p = strstr(p, "CONNECT ")); p++) connects++;
  CHECK(connects == 1); /* not retried: the same request gets the same refusal */
  free(seen);
  caffesta_client_free(c);

  /* 407 to a plain-HTTP request through the proxy */
  c = client_for(plain.url);
  caffesta_client_set_proxy(c, no_password);
  CHECK_STATUS(caffesta_request(c, "POST", "/echo", "{}", &out), CAFFESTA_ERR_PROXY);
  CHECK(caffesta_last_http_status() == 407);
  CHECK(strstr(caffesta_last_error(), "the proxy http://127.0.0.1:") != NULL);
  caffesta_client_free(c);

  /* 403 from a proxy that does not allow this client: to CONNECT and to a plain request */
  char denied_url[200];
  snprintf(denied_url, sizeof denied_url, "http://user:pw-denied@127.0.0.1:%d", denied.port);
  c = client_for(h2.url);
  caffesta_client_set_proxy(c, denied_url);
  CHECK_STATUS(caffesta_request(c, "GET", "/echo", NULL, &out), CAFFESTA_ERR_PROXY);
  CHECK(caffesta_last_http_status() == 403);
  CHECK(strstr(caffesta_last_error(), "the proxy http://user@127.0.0.1:") != NULL);
  CHECK(strstr(caffesta_last_error(), "pw-denied") == NULL);
  caffesta_client_free(c);
  c = client_for(plain.url);
  caffesta_client_set_proxy(c, denied_url);
  CHECK_STATUS(caffesta_request(c, "GET", "/echo", NULL, &out), CAFFESTA_ERR_PROXY);
  CHECK(caffesta_last_http_status() == 403);
  CHECK(strstr(caffesta_last_error(), "pw-denied") == NULL);
  /* a proxy nobody listens on */
  char nobody[100];
  snprintf(nobody, sizeof nobody, "http://127.0.0.1:%d", free_port());
  caffesta_client_set_proxy(c, nobody);
  CHECK_STATUS(caffesta_request(c, "GET", "/echo", NULL, &out), CAFFESTA_ERR_PROXY);
  CHECK(strstr(caffesta_last_error(), "could not connect to the proxy") != NULL);
  caffesta_client_free(c);
  relay_stop(r);
  process_stop(&auth);
  process_stop(&denied);
}

/* ---- 6. what a failure tells ---- */

static void expect_message(caffesta_client *c, const char *method, const char *path, caffesta_status status,
                           int http_status, const char *text) {
  char *out = NULL;
  CHECK_STATUS(caffesta_request(c, method, path, strcmp(method, "GET") ? "{}" : NULL, &out), status);
  CHECK(caffesta_last_http_status() == http_status);
  CHECK(strstr(caffesta_last_error(), text) != NULL);
  CHECK(strstr(caffesta_last_error(), KEY) == NULL);
  if (!strstr(caffesta_last_error(), text)) fprintf(stderr, "  wanted \"%s\" in the message\n", text);
}

static void test_failures_tell_the_facts(void) {
  caffesta_client *c = client_for(h2.url);
  caffesta_client_set_max_retries(c, 0);
  expect_message(c, "GET", "/busy", CAFFESTA_ERR_SERVER, 503, "(Retry-After: 7 s)");
  expect_message(c, "GET", "/html", CAFFESTA_ERR_SERVER, 502, "an HTML page titled \"502 Bad Gateway\"");
  /* a 200 too large, a 200 cut off by the timeout: the status line arrived, it is reported */
  caffesta_client_set_max_response_size(c, 1 << 20);
  expect_message(c, "GET", "/big", CAFFESTA_ERR_PROTOCOL, 200, "larger than the limit");
  caffesta_client_free(c);

  /* HTTP/1.1: nginx closes the connection without answering (444) */
  c = client_for(plain.url);
  int before = nginx_log_count(&plain, "/hangup");
  expect_message(c, "POST", "/hangup", CAFFESTA_ERR_NETWORK, 0, "not retried because it is a write");
  CHECK(nginx_log_count(&plain, "/hangup") - before == 1);
  expect_message(c, "GET", "/hangup", CAFFESTA_ERR_NETWORK, 0, "(retried 2 times)");
  CHECK(nginx_log_count(&plain, "/hangup") - before == 4);
  caffesta_client_free(c);

  c = client_for(httpbin.url);
  expect_message(c, "GET", "/redirect-to?url=https%3A%2F%2Felsewhere.example%2Fx&status_code=302", CAFFESTA_ERR_HTTP,
                 302, "a redirect to https://elsewhere.example/x, not followed");
  caffesta_client_set_timeouts(c, 1000, 1500);
  expect_message(c, "GET", "/drip?duration=4&numbytes=4&code=200&delay=0", CAFFESTA_ERR_TIMEOUT, 200, "");
  caffesta_client_free(c);
}

/* Ids in a write's answer: a non-positive one is a PROTOCOL error, a missing one is read back. */
static void test_write_answers_without_a_usable_id(void) {
  const char *product = "{\"ref_code\":\"id-check\",\"title\":\"x\"}";
  const char *bulk = "[{\"ref_code\":\"id-check\",\"title\":\"x\"},{\"ref_code\":\"id-check-2\",\"title\":\"y\"}]";
  const char *prefixes[] = {"/neg", "/zero"};
  for (int i = 0; i < 2; i++) {
    char base[200];
    snprintf(base, sizeof base, "%s%s", h2.url, prefixes[i]);
    caffesta_client *c = client_for(base);
    char *out = NULL;
    CHECK_STATUS(caffesta_product_upsert(c, product, &out), CAFFESTA_ERR_PROTOCOL);
    CHECK(caffesta_last_http_status() == 200);
    CHECK(strstr(caffesta_last_error(), "data.id is not a positive integer") != NULL);
    CHECK_STATUS(caffesta_products_upsert_many(c, bulk, 2, &out), CAFFESTA_ERR_PARTIAL);
    json_t *r = parsed(out);
    for (size_t k = 0; k < 2; k++) {
      json_t *item = json_array_get(r, k);
      CHECK(strcmp(json_string_value(json_object_get(item, "status")), "CAFFESTA_ERR_PROTOCOL") == 0);
      CHECK(json_integer_value(json_object_get(item, "http_status")) == 200);
    }
    json_decref(r);
    caffesta_string_free(out);
    caffesta_client_free(c);
  }
  char base[200];
  snprintf(base, sizeof base, "%s/noid", h2.url);
  caffesta_client *c = client_for(base);
  char *out = NULL;
  CHECK_STATUS(caffesta_product_upsert(c, product, &out), CAFFESTA_OK);
  CHECK(out && strstr(out, "\"id\":77") && strstr(out, "\"action\":\"updated\""));
  caffesta_string_free(out);
  out = NULL;
  CHECK_STATUS(caffesta_products_upsert_many(c, bulk, 2, &out), CAFFESTA_OK);
  json_t *r = parsed(out);
  for (size_t k = 0; k < 2; k++) {
    json_t *item = json_array_get(r, k);
    CHECK(json_integer_value(json_object_get(item, "id")) == 77);
    CHECK(strcmp(json_string_value(json_object_get(item, "action")), "updated") == 0);
  }
  json_decref(r);
  caffesta_string_free(out);
  caffesta_client_free(c);
}

/* ---- setup ---- */

static void make_files(void) {
  char command[2048];
  snprintf(command, sizeof command,
           "python3 - '%s' <<'EOF'\n"
           "import sys, zlib\n"
           "d = sys.argv[1]\n"
           "open(d + '/big.json', 'w').write('{\"a\":\"' + 'x' * (2 << 20) + '\"}')\n"
           "for name, wbits in (('bomb.gz', 31), ('bomb.zz', 15)):\n"
           "    z = zlib.compressobj(9, zlib.DEFLATED, wbits)\n"
           "    with open(d + '/' + name, 'wb') as f:\n"
           "        f.write(z.compress(b'{\"a\":\"'))\n"
           "        chunk = b'0' * (1 << 20)\n"
           "        for _ in range(256): f.write(z.compress(chunk))\n"
           "        f.write(z.compress(b'\"}') + z.flush())\n"
           "EOF",
           peers_dir());
  if (system(command) != 0) { fprintf(stderr, "could not write the served files\n"); exit(2); }
}

int main(void) {
  make_files();
  char *block = server_block();
  int failed_start = nginx_start(&h2, "nginx-h2", 1, "", block) ||
                     nginx_start(&h2_goaway, "nginx-goaway", 1, "keepalive_requests 50;", block) ||
                     nginx_start(&plain, "nginx-plain", 0, "keepalive_timeout 30s;", block) ||
                     nginx_start(&h1_tls, "nginx-h1-tls", 2, "", block) ||
                     httpbin_start(&httpbin);
  free(block);
  int result = 2;
  if (!failed_start) {
    static const test_case tests[] = {
      {"http2_goaway_resends_exactly_the_unprocessed_writes", test_http2_goaway_resends_exactly_the_unprocessed_writes},
      {"bulk_uses_one_http2_connection_or_one_per_concurrency_over_http1",
       test_bulk_uses_one_http2_connection_or_one_per_concurrency_over_http1},
      {"write_after_idle_goes_on_a_fresh_connection", test_write_after_idle_goes_on_a_fresh_connection},
      {"forked_child_never_touches_the_parents_tls_connection", test_forked_child_never_touches_the_parents_tls_connection},
      {"decompression_bombs_stop_at_the_limit_in_bounded_memory", test_decompression_bombs_stop_at_the_limit_in_bounded_memory},
      {"paths_are_sent_as_written_or_refused_unsent", test_paths_are_sent_as_written_or_refused_unsent},
      {"proxy_from_the_environment_or_set_never_gets_the_key", test_proxy_from_the_environment_or_set_never_gets_the_key},
      {"a_proxys_refusal_is_named_as_the_proxys_and_not_retried", test_a_proxys_refusal_is_named_as_the_proxys_and_not_retried},
      {"failures_tell_the_facts", test_failures_tell_the_facts},
      {"write_answers_without_a_usable_id", test_write_answers_without_a_usable_id},
    };
    result = run_tests(tests, sizeof tests / sizeof *tests);
  }
  nginx_stop(&h2);
  nginx_stop(&h2_goaway);
  nginx_stop(&plain);
  nginx_stop(&h1_tls);
  process_stop(&httpbin);
  if (result == 0) peers_cleanup();
  else fprintf(stderr, "peers' files kept in %s\n", peers_dir());
  return result;
}
