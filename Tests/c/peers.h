/* Real peers for test_peers.c: nginx (TLS + HTTP/2, or plain HTTP/1.1), tinyproxy and httpbin,
 * each started on a free loopback port with a configuration generated into a temporary
 * directory, and stopped by the test. */
#ifndef CAFFESTA_TEST_PEERS_H
#define CAFFESTA_TEST_PEERS_H
#include <stddef.h>
#include <sys/types.h>

/* The suite's temporary directory (created on first use; peers_cleanup removes it). */
const char *peers_dir(void);
void peers_cleanup(void);
/* A self-signed certificate for 127.0.0.1 in peers_dir(): cert.pem, key.pem. */
const char *peers_cert(void);

/* Waits until something accepts on 127.0.0.1:port; 0 on success. */
int wait_port(int port);
void write_file(const char *path, const char *data, size_t size);
/* The whole file (malloc'd, NUL-terminated) or NULL. */
char *read_file(const char *path);

typedef struct {
  char dir[512];
  int port;
  char url[128];
} nginx_peer;
/* nginx with `server_block` (inside `server { listen ...; ... }`) and `http_extra` in http{}.
 * tls: 1 "listen ... ssl http2", 2 "listen ... ssl" (HTTP/1.1 over TLS), with peers_cert(). The access log (access.log in dir) has one line
 * per request: "$connection $request_method $request_uri $server_protocol $status
 * [$http_accept_encoding] [$http_x_api_key]". */
int nginx_start(nginx_peer *peer, const char *name, int tls, const char *http_extra, const char *server_block);
void nginx_stop(nginx_peer *peer);
/* Lines of the access log that contain `needle` (all when NULL). */
int nginx_log_count(nginx_peer *peer, const char *needle);

typedef struct {
  pid_t pid;
  int port;
  char url[128];
  char dir[512];
} process_peer;
/* tinyproxy in the foreground with `extra` config lines. */
int tinyproxy_start(process_peer *peer, const char *name, const char *extra);
/* httpbin (PyPI) through werkzeug's threaded server. */
int httpbin_start(process_peer *peer);
void process_stop(process_peer *peer);

/* A TCP relay in front of a peer that keeps what clients sent: what a proxy gets, or whether a
 * forked child wrote on its parent's connection. One thread per connection. */
typedef struct relay relay;
relay *relay_start(int target_port);
int relay_port(relay *r);
/* Everything clients sent so far (malloc'd, NUL bytes shown as '.'); relay_sent: its length. */
size_t relay_sent(relay *r);
/* relay_sent once nothing more has come for 300 ms (at most 3 s): a client's last bytes (an
 * HTTP/2 WINDOW_UPDATE after an answer, say) may reach the relay after the call has returned. */
size_t relay_settled(relay *r);
char *relay_seen(relay *r);
void relay_stop(relay *r);
#endif
