#include "harness.h"
#include "caffesta.h"
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int harness_checks_failed;
const char *harness_current = "";

int run_tests(const test_case *tests, size_t count) {
  int passed = 0, failed = 0;
  const char *only = getenv("CAFFESTA_TEST_ONLY");
  for (size_t i = 0; i < count; i++) {
    if (only && strcmp(only, tests[i].name) != 0) continue;
    int before = harness_checks_failed;
    harness_current = tests[i].name;
    tests[i].fn();
    if (harness_checks_failed == before) { passed++; printf("ok   %s\n", tests[i].name); }
    else { failed++; printf("FAIL %s\n", tests[i].name); }
    fflush(stdout);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

const char *emulator_url(void) {
  const char *url = getenv("CAFFESTA_BASE_URL");
  if (!url) { fprintf(stderr, "CAFFESTA_BASE_URL is not set: run through scripts/with-emulator.sh\n"); exit(2); }
  return url;
}
const char *emulator_key(void) {
  const char *key = getenv("CAFFESTA_API_KEY");
  return key ? key : "0123456789abcdef0123456789abcdef";
}

typedef struct { char *data; size_t size; } buffer;
static size_t collect(char *data, size_t size, size_t n, void *user) {
  buffer *b = user;
  char *grown = realloc(b->data, b->size + size * n + 1);
  if (!grown) return 0;
  b->data = grown;
  memcpy(b->data + b->size, data, size * n);
  b->size += size * n;
  b->data[b->size] = '\0';
  return size * n;
}

char *emulator_admin_at(const char *base, const char *ca_file, const char *method, const char *path, const char *body) {
  char url[1024];
  snprintf(url, sizeof url, "%s%s", base, path);
  CURL *h = curl_easy_init();
  buffer b = {calloc(1, 1), 0};
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  if (body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  if (ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK || status >= 300) {
    fprintf(stderr, "  emulator admin %s %s%s failed: curl %d, HTTP %ld: %s\n", method, base, path, rc, status, b.data);
    free(b.data);
    return NULL;
  }
  return b.data;
}

char *emulator_admin(const char *method, const char *path, const char *body) {
  return emulator_admin_at(emulator_url(), NULL, method, path, body);
}

void emulator_reset(void) { free(emulator_admin("POST", "/__emulator/reset", "{}")); }

void emulator_fault(const char *fault_json) {
  char *answer = emulator_admin("POST", "/__emulator/faults", fault_json);
  if (!answer) { harness_checks_failed++; fprintf(stderr, "  could not arm fault %s\n", fault_json); }
  free(answer);
}

long emulator_stat_at(const char *base, const char *table) {
  char *text = emulator_admin_at(base, NULL, "GET", "/__emulator/stats", NULL);
  json_t *stats = parsed(text);
  free(text);
  json_t *value = json_object_get(stats, table);
  long n = json_is_integer(value) ? (long)json_integer_value(value) : -1;
  json_decref(stats);
  return n;
}

long emulator_stat(const char *table) { return emulator_stat_at(emulator_url(), table); }

char *sample_text(const char *name) {
  const char *dir = getenv("CAFFESTA_SAMPLES");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir ? dir : "../samples", name);
  json_error_t error;
  json_t *doc = json_load_file(path, 0, &error);
  if (!doc) { fprintf(stderr, "  cannot read sample %s: %s\n", path, error.text); harness_checks_failed++; return NULL; }
  char *text = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(doc);
  return text;
}

json_t *parsed(const char *text) { return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL; }

json_t *call_json(caffesta_status status, char **text) {
  CHECK_STATUS(status, CAFFESTA_OK);
  json_t *value = parsed(*text);
  caffesta_string_free(*text);
  *text = NULL;
  return value;
}

const char *text_of(json_t *object, const char *key) {
  const char *value = json_string_value(json_object_get(object, key));
  return value ? value : "";
}

/* ---- Time, ports, processes ---- */

long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) == -1 && errno == EINTR) {}
}

const char *repo_root(void) {
  static char root[4096];
  if (root[0]) return root;
  const char *env = getenv("CAFFESTA_REPO_ROOT");
  if (env) { snprintf(root, sizeof root, "%s", env); return root; }
  ssize_t n = readlink("/proc/self/exe", root, sizeof root - 1);
  if (n <= 0) { snprintf(root, sizeof root, "../.."); return root; }
  root[n] = '\0';
  for (int up = 0; up < 4; up++) {
    char *slash = strrchr(root, '/');
    if (slash) *slash = '\0';
  }
  return root;
}

int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    perror("free_port");
    exit(2);
  }
  close(fd);
  return ntohs(a.sin_port);
}

pid_t start_emulator(int port, int delay_ms, const char *const *extra, int *out_fd) {
  char script[4200], port_text[16];
  snprintf(script, sizeof script, "%s/emulator/caffesta_emulator.py", repo_root());
  snprintf(port_text, sizeof port_text, "%d", port);
  const char *python = getenv("PYTHON") ? getenv("PYTHON") : "python3";
  const char *argv[24] = {python, script, "--host", "127.0.0.1", "--port", port_text, "--api-key", emulator_key()};
  size_t argc = 8;
  for (size_t i = 0; extra && extra[i] && argc < 23; i++) argv[argc++] = extra[i];
  argv[argc] = NULL;
  int fds[2];
  if (pipe(fds) != 0) return -1;
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) { close(fds[0]); close(fds[1]); return -1; }
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[1]);
    if (delay_ms > 0) sleep_ms(delay_ms);
    execvp(python, (char *const *)argv);
    _exit(127);
  }
  close(fds[1]);
  *out_fd = fds[0];
  return pid;
}

int read_listening(int fd, int timeout_ms, char *url, size_t size) {
  char line[512];
  size_t used = 0;
  long long deadline = now_ms() + timeout_ms;
  int ok = 0;
  while (used < sizeof line - 1) {
    long long left = deadline - now_ms();
    struct pollfd p = {fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, (int)left) <= 0) break;
    ssize_t n = read(fd, line + used, 1);
    if (n <= 0) break;
    if (line[used] == '\n') {
      line[used] = '\0';
      ok = strncmp(line, "listening on ", 13) == 0;
      if (ok && url) snprintf(url, size, "%s", line + 13);
      break;
    }
    used++;
  }
  close(fd);
  if (!ok) fprintf(stderr, "  the emulator did not say \"listening on\" within %d ms\n", timeout_ms);
  return ok;
}

void kill_emulator(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 100; i++) {
    if (waitpid(pid, NULL, WNOHANG) == pid) return;
    sleep_ms(50);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

int wait_child(pid_t pid, int timeout_ms) {
  int status = 0;
  for (long long deadline = now_ms() + timeout_ms; now_ms() < deadline; sleep_ms(20)) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

int under_valgrind(void) {
  const char *preload = getenv("LD_PRELOAD");
  return preload && strstr(preload, "vgpreload") != NULL;
}

pid_t spawn_emulator(int port, const char *const *extra, char *url, size_t size) {
  int fd;
  pid_t pid = start_emulator(port, 0, extra, &fd);
  if (pid < 0) return -1;
  if (!read_listening(fd, 20000, url, size)) { kill_emulator(pid); return -1; }
  return pid;
}

/* ---- The emulators' request logs, at any URL ---- */

json_t *log_at(const char *base, const char *ca_file) {
  char *text = emulator_admin_at(base, ca_file, "GET", "/__emulator/requests", NULL);
  json_t *log = parsed(text);
  free(text);
  if (!json_is_array(log)) { harness_checks_failed++; json_decref(log); return json_array(); }
  return log;
}

json_t *request_log(void) { return log_at(emulator_url(), NULL); }

void clear_request_log(void) { free(emulator_admin("DELETE", "/__emulator/requests", NULL)); }

size_t log_length(void) {
  json_t *log = request_log();
  size_t n = json_array_size(log);
  json_decref(log);
  return n;
}

size_t count_requests(json_t *log, const char *method, const char *prefix) {
  size_t n = 0, i;
  json_t *entry;
  json_array_foreach(log, i, entry) {
    if (method && strcmp(text_of(entry, "method"), method) != 0) continue;
    if (strncmp(text_of(entry, "path"), prefix, strlen(prefix)) == 0) n++;
  }
  return n;
}

/* ---- Clients, bodies, faults ---- */

caffesta_client *client_at(const char *url) {
  caffesta_client *c = caffesta_client_new("demo", emulator_key());
  if (c && caffesta_client_set_base_url(c, url) != CAFFESTA_OK) { caffesta_client_free(c); c = NULL; }
  if (!c) { harness_checks_failed++; fprintf(stderr, "  cannot make a client for %s\n", url); }
  return c;
}

caffesta_client *new_client(void) { return client_at(emulator_url()); }

char *product_json(const char *ref_code, const char *name) {
  json_t *p = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "ref_code", ref_code, "name", name, "measure", "pcs",
                        "caf_tax_id", 1, "category_ref_code", "hard-c", "workspace_ref_code", "hard-w");
  char *text = json_dumps(p, JSON_COMPACT);
  json_decref(p);
  return text;
}

long long create_sample_invoice(caffesta_client *c, caffesta_status expected) {
  char *invoice = sample_text("invoice_create.request.json");
  long long id = 12345;
  CHECK_STATUS(caffesta_invoice_create(c, invoice, &id), expected);
  if (expected != CAFFESTA_OK) CHECK(id == 0);
  free(invoice);
  return id;
}

void fault(const char *kind, const char *method, const char *path_prefix, const char *more) {
  char body[1024];
  int n = snprintf(body, sizeof body, "{\"kind\":\"%s\",%s%s%s\"path_prefix\":\"%s\"%s%s}", kind, method ? "\"method\":\"" : "",
           method ? method : "", method ? "\"," : "", path_prefix, more ? "," : "", more ? more : "");
  if (n < 0 || (size_t)n >= sizeof body) { harness_checks_failed++; fprintf(stderr, "  fault too long: %s\n", kind); return; }
  emulator_fault(body);
}
