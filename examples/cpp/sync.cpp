// Catalog sync from C++, as a till's software would link libcaffesta: a small RAII wrapper
// that turns statuses into exceptions and frees every string the library hands out.
//
//   c++ -std=c++17 sync.cpp $(pkg-config --cflags --libs caffesta) -o sync
//   CAFFESTA_BASE_URL=http://127.0.0.1:8080 CAFFESTA_API_KEY=... ./sync [-v] REF NAME PRICE [REF NAME PRICE ...]
//
// -v prints the library's request log (one JSON event per attempt) on stderr. Ctrl-C stops
// cleanly: the product being written finishes (a call in progress ends at its next retry
// decision), the rest is not sent, and the summary says what was done (exit status 130).
#include <caffesta.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace caffesta {

struct Error : std::runtime_error {
  caffesta_status status;
  Error(caffesta_status s, const std::string &message)
      : std::runtime_error(std::string(caffesta_status_name(s)) + ": " + message), status(s) {}
};

class Client {
 public:
  Client(const std::string &account, const std::string &key)
      : client_(caffesta_client_new(account.c_str(), key.c_str()), caffesta_client_free) {
    if (!client_) throw Error(CAFFESTA_ERR_INVALID_ARGUMENT, caffesta_last_error());
  }
  void set_base_url(const std::string &url) { check(caffesta_client_set_base_url(client_.get(), url.c_str())); }
  // The log callback is a plain function: the library calls it on the calling thread.
  void set_log(caffesta_log_fn callback) { check(caffesta_client_set_log(client_.get(), callback, nullptr)); }
  // Async-signal-safe: for a SIGINT handler.
  void cancel() noexcept { caffesta_client_cancel(client_.get()); }
  void auth_test() { check(caffesta_auth_test(client_.get())); }
  std::string upsert_product(const std::string &json) {
    char *out = nullptr;
    check(caffesta_product_upsert(client_.get(), json.c_str(), &out));
    return take(out);
  }

 private:
  static void check(caffesta_status s) {
    if (s != CAFFESTA_OK) throw Error(s, caffesta_last_error());
  }
  static std::string take(char *s) {
    std::unique_ptr<char, decltype(&caffesta_string_free)> owned(s, caffesta_string_free);
    return owned ? std::string(owned.get()) : std::string();
  }
  std::unique_ptr<caffesta_client, decltype(&caffesta_client_free)> client_;
};

}  // namespace caffesta

namespace {
caffesta::Client *signal_target = nullptr;
volatile std::sig_atomic_t interrupted = 0;

extern "C" void on_sigint(int) {
  interrupted = 1;  // checked before each product
  if (signal_target) signal_target->cancel();
}

extern "C" void print_event(void *, const char *event_json) { std::cerr << "caffesta: " << event_json << "\n"; }
}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool verbose = !args.empty() && args.front() == "-v";
  if (verbose) args.erase(args.begin());
  if (args.empty() || args.size() % 3 != 0) {
    std::cerr << "usage: " << argv[0] << " [-v] REF_CODE NAME PRICE [REF_CODE NAME PRICE ...]\n";
    return 2;
  }
  const char *account = std::getenv("CAFFESTA_ACCOUNT");
  const char *key = std::getenv("CAFFESTA_API_KEY");
  const char *base_url = std::getenv("CAFFESTA_BASE_URL");
  size_t done = 0, total = args.size() / 3;
  try {
    caffesta::Client client(account ? account : "demo", key ? key : "");
    if (base_url) client.set_base_url(base_url);
    if (verbose) client.set_log(print_event);
    signal_target = &client;
    std::signal(SIGINT, on_sigint);
    client.auth_test();
    for (; done < total && !interrupted; done++) {
      const std::string *p = &args[3 * done];
      // Real code would build this with a JSON library; names here must not need escaping.
      std::string product = "{\"ref_code\":\"" + p[0] + "\",\"name\":\"" + p[1] +
                            "\",\"measure\":\"pcs\",\"type\":\"product\",\"cancellation_type\":1,\"for_sale\":true,"
                            "\"use_discounts\":true,\"caf_tax_id\":1,\"category_ref_code\":\"coffee\","
                            "\"workspace_ref_code\":\"bar\",\"prices\":[{\"caf_shop_id\":2,\"caf_storage_id\":1,"
                            "\"price\":" + p[2] + ",\"self_cost\":0}]}";
      std::cout << "C++ upsert: " << client.upsert_product(product) << "\n";
    }
    signal_target = nullptr;
  } catch (const caffesta::Error &e) {
    signal_target = nullptr;
    std::cerr << e.what() << "\n";
    if (e.status != CAFFESTA_ERR_CANCELLED) return 1;
  }
  if (interrupted) {
    std::cerr << "interrupted: " << done << " of " << total << " products written, the rest not sent\n";
    return 130;
  }
  return 0;
}
