#define _DEFAULT_SOURCE
#include "peers.h"
#include "harness.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/caffesta-peers-XXXXXX";
static int dir_made;

const char *peers_dir(void) {
  if (!dir_made) {
    if (!mkdtemp(dir)) { perror("mkdtemp"); exit(2); }
    chmod(dir, 0755); /* nginx's workers (another user) read the files served from here */
    dir_made = 1;
  }
  return dir;
}

void peers_cleanup(void) {
  if (!dir_made) return;
  char command[600];
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

const char *peers_cert(void) {
  static char cert[600];
  if (cert[0]) return cert;
  char key[600], command[2048];
  snprintf(cert, sizeof cert, "%s/cert.pem", peers_dir());
  snprintf(key, sizeof key, "%s/key.pem", peers_dir());
  snprintf(command, sizeof command,
           "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
           "-addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s' 2>/dev/null", key, cert);
  if (system(command) != 0) { fprintf(stderr, "openssl could not make a certificate\n"); exit(2); }
  return cert;
}

int wait_port(int port) {
  for (int i = 0; i < 200; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    if (ok) return 0;
    sleep_ms(50);
  }
  return -1;
}

void write_file(const char *path, const char *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size) { perror(path); exit(2); }
  fclose(f);
}

char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, len = 0;
  char *data = malloc(cap);
  size_t n;
  while (data && (n = fread(data + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len < 2) data = realloc(data, cap *= 2);
  }
  fclose(f);
  if (data) data[len] = '\0';
  return data;
}

/* ---- nginx ---- */

int nginx_start(nginx_peer *peer, const char *name, int tls, const char *http_extra, const char *server_block) {
  snprintf(peer->dir, sizeof peer->dir, "%s/%s", peers_dir(), name);
  mkdir(peer->dir, 0755);
  const char *cert = peers_cert();
  for (int attempt = 0; attempt < 5; attempt++) {
    peer->port = free_port();
    size_t size = 16384 + strlen(server_block) + strlen(http_extra);
    char *conf = malloc(size);
    char tls_lines[1400] = "";
    if (tls) {
      snprintf(tls_lines, sizeof tls_lines, "ssl_certificate %s; ssl_certificate_key %s/key.pem;", cert, peers_dir());
    }
    const char *d = peer->dir;
    snprintf(conf, size,
             "worker_processes 1;\ndaemon on;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\n"
             "events { worker_connections 512; }\n"
             "http {\n"
             "  log_format peers '$connection $request_method $request_uri $server_protocol $status "
             "[$http_accept_encoding] [$http_x_api_key]';\n"
             "  access_log %s/access.log peers;\n"
             "  default_type application/json;\n"
             "  client_body_temp_path %s/body; proxy_temp_path %s/proxy; fastcgi_temp_path %s/fastcgi;\n"
             "  uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;\n"
             "  %s\n"
             "  server {\n    listen 127.0.0.1:%d%s;\n    %s\n    %s\n  }\n}\n",
             d, d, d, d, d, d, d, d, http_extra, peer->port, tls == 2 ? " ssl" : tls ? " ssl http2" : "", tls_lines, server_block);
    char path[600], command[2600];
    snprintf(path, sizeof path, "%s/nginx.conf", peer->dir);
    write_file(path, conf, strlen(conf));
    free(conf);
    snprintf(command, sizeof command, "nginx -p '%s' -c '%s/nginx.conf' -e '%s/error.log' 2>'%s/start.err'",
             d, d, d, d);
    if (system(command) == 0 && wait_port(peer->port) == 0) {
      snprintf(peer->url, sizeof peer->url, "%s://127.0.0.1:%d", tls ? "https" : "http", peer->port);
      return 0;
    }
  }
  fprintf(stderr, "nginx did not start (see %s)\n", peer->dir);
  return -1;
}

void nginx_stop(nginx_peer *peer) {
  char path[600];
  snprintf(path, sizeof path, "%s/nginx.pid", peer->dir);
  char *pid = read_file(path);
  if (pid) {
    kill((pid_t)atol(pid), SIGTERM);
    free(pid);
    for (int i = 0; i < 100 && access(path, F_OK) == 0; i++) sleep_ms(20);
  }
}

int nginx_log_count(nginx_peer *peer, const char *needle) {
  char path[600];
  snprintf(path, sizeof path, "%s/access.log", peer->dir);
  char *log = read_file(path);
  if (!log) return 0;
  int count = 0;
  for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
    if (!needle || strstr(line, needle)) count++;
  }
  free(log);
  return count;
}

/* ---- tinyproxy, httpbin ---- */

static pid_t spawn(char *const argv[], const char *log_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); }
    execvp(argv[0], argv);
    _exit(127);
  }
  return pid;
}

void process_stop(process_peer *peer) {
  if (peer->pid <= 0) return;
  kill(peer->pid, SIGTERM);
  waitpid(peer->pid, NULL, 0);
  peer->pid = 0;
}

int tinyproxy_start(process_peer *peer, const char *name, const char *extra) {
  snprintf(peer->dir, sizeof peer->dir, "%s/%s", peers_dir(), name);
  mkdir(peer->dir, 0755);
  for (int attempt = 0; attempt < 5; attempt++) {
    peer->port = free_port();
    char conf[2048], path[600], log[600];
    snprintf(conf, sizeof conf,
             "Port %d\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nLogLevel Info\nLogFile \"%s/tinyproxy.log\"\n"
             "PidFile \"%s/tinyproxy.pid\"\n%s\n",
             peer->port, peer->dir, peer->dir, extra);
    snprintf(path, sizeof path, "%s/tinyproxy.conf", peer->dir);
    snprintf(log, sizeof log, "%s/stdout.log", peer->dir);
    write_file(path, conf, strlen(conf));
    char *argv[] = {"tinyproxy", "-d", "-c", path, NULL};
    peer->pid = spawn(argv, log);
    if (wait_port(peer->port) == 0) {
      snprintf(peer->url, sizeof peer->url, "http://127.0.0.1:%d", peer->port);
      return 0;
    }
    process_stop(peer);
  }
  fprintf(stderr, "tinyproxy did not start (see %s)\n", peer->dir);
  return -1;
}

int httpbin_start(process_peer *peer) {
  snprintf(peer->dir, sizeof peer->dir, "%s/httpbin", peers_dir());
  mkdir(peer->dir, 0755);
  for (int attempt = 0; attempt < 5; attempt++) {
    peer->port = free_port();
    char port[16], log[600];
    snprintf(port, sizeof port, "%d", peer->port);
    snprintf(log, sizeof log, "%s/httpbin.log", peer->dir);
    char *argv[] = {"python3", "-c",
                    "import sys, logging; logging.disable(logging.CRITICAL)\n"
                    "from werkzeug.serving import make_server\nimport httpbin\n"
                    "make_server('127.0.0.1', int(sys.argv[1]), httpbin.app, threaded=True).serve_forever()",
                    port, NULL};
    peer->pid = spawn(argv, log);
    if (wait_port(peer->port) == 0) {
      snprintf(peer->url, sizeof peer->url, "http://127.0.0.1:%d", peer->port);
      return 0;
    }
    process_stop(peer);
  }
  fprintf(stderr, "httpbin did not start (is it installed? see %s)\n", peer->dir);
  return -1;
}

/* ---- a relay that keeps what the client sent ---- */

struct relay {
  int listener, target_port, port, stop, active;
  pthread_t thread;
  pthread_mutex_t lock;
  char *seen;
  size_t seen_len;
};

static void relay_keep(relay *r, const char *data, size_t n) {
  pthread_mutex_lock(&r->lock);
  char *grown = realloc(r->seen, r->seen_len + n + 1);
  if (grown) {
    r->seen = grown;
    for (size_t i = 0; i < n; i++) r->seen[r->seen_len + i] = data[i] ? data[i] : '.';
    r->seen_len += n;
    r->seen[r->seen_len] = '\0';
  }
  pthread_mutex_unlock(&r->lock);
}

typedef struct { relay *r; int client; } relay_connection;

/* One thread per connection, copying both ways and keeping what the client sent. */
static void *relay_pipe(void *arg) {
  relay_connection *rc = arg;
  relay *r = rc->r;
  int client = rc->client;
  free(rc);
  int server = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)r->target_port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(server, (struct sockaddr *)&a, sizeof a) == 0) {
    char buffer[16384];
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
      struct pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (poll(fds, 2, 100) < 0) break;
      if (fds[0].revents) {
        ssize_t n = read(client, buffer, sizeof buffer);
        if (n <= 0) break;
        relay_keep(r, buffer, (size_t)n);
        if (write(server, buffer, (size_t)n) != n) break;
      }
      if (fds[1].revents) {
        ssize_t n = read(server, buffer, sizeof buffer);
        if (n <= 0) break;
        if (write(client, buffer, (size_t)n) != n) break;
      }
    }
  }
  close(client);
  close(server);
  __atomic_sub_fetch(&r->active, 1, __ATOMIC_ACQ_REL);
  return NULL;
}

static void *relay_run(void *arg) {
  relay *r = arg;
  while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
    struct pollfd p = {r->listener, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int client = accept(r->listener, NULL, NULL);
    if (client < 0) continue;
    relay_connection *rc = malloc(sizeof *rc);
    rc->r = r;
    rc->client = client;
    __atomic_add_fetch(&r->active, 1, __ATOMIC_ACQ_REL);
    pthread_t t;
    if (pthread_create(&t, NULL, relay_pipe, rc) == 0) pthread_detach(t);
    else { close(client); free(rc); __atomic_sub_fetch(&r->active, 1, __ATOMIC_ACQ_REL); }
  }
  return NULL;
}

relay *relay_start(int target_port) {
  relay *r = calloc(1, sizeof *r);
  r->target_port = target_port;
  r->listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(r->listener, (struct sockaddr *)&a, sizeof a) != 0 || listen(r->listener, 8) != 0 ||
      getsockname(r->listener, (struct sockaddr *)&a, &len) != 0) {
    perror("relay");
    exit(2);
  }
  r->port = ntohs(a.sin_port);
  r->seen = calloc(1, 1);
  pthread_mutex_init(&r->lock, NULL);
  pthread_create(&r->thread, NULL, relay_run, r);
  return r;
}

int relay_port(relay *r) { return r->port; }

char *relay_seen(relay *r) {
  pthread_mutex_lock(&r->lock);
  char *copy = strdup(r->seen);
  pthread_mutex_unlock(&r->lock);
  return copy;
}

size_t relay_sent(relay *r) {
  pthread_mutex_lock(&r->lock);
  size_t n = r->seen_len;
  pthread_mutex_unlock(&r->lock);
  return n;
}

size_t relay_settled(relay *r) {
  size_t last = relay_sent(r);
  for (int quiet = 0, i = 0; quiet < 6 && i < 60; i++) {
    sleep_ms(50);
    size_t now = relay_sent(r);
    if (now == last) quiet++;
    else { quiet = 0; last = now; }
  }
  return last;
}

void relay_stop(relay *r) {
  __atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
  pthread_join(r->thread, NULL);
  while (__atomic_load_n(&r->active, __ATOMIC_ACQUIRE) > 0) sleep_ms(20);
  close(r->listener);
  pthread_mutex_destroy(&r->lock);
  free(r->seen);
  free(r);
}
