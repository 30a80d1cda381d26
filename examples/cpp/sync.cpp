// Catalog sync from C++, as a till's software would link libcaffesta: include/caffesta.hpp (RAII,
// exceptions) for the client, and a JSON library (nlohmann/json, Debian's nlohmann-json3-dev) for
// the body, so that any name or price is written as valid JSON.
//
//   c++ -std=c++11 sync.cpp $(pkg-config --cflags --libs caffesta nlohmann_json) -o sync
//   scripts/with-emulator.sh examples/build/sync-cpp latte "Латте \"большой\"" 2.50
//   CAFFESTA_ACCOUNT=mycafe CAFFESTA_API_KEY=... ./sync [-v] REF_CODE NAME PRICE [REF_CODE NAME PRICE ...]
//
// -v prints the library's request log (one JSON event per attempt) on stderr. Ctrl-C stops
// cleanly: the product being written finishes (a call in progress ends at its next retry
// decision, never in the middle of a write), the rest is not sent, and the program says what
// was done (exit status 130).
#include <caffesta.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {
caffesta_client *signal_target = nullptr;  // the client's C handle, for the signal handler
volatile std::sig_atomic_t interrupted = 0;

// caffesta_client_cancel() is async-signal-safe; the flag stops the loop between products.
extern "C" void on_sigint(int) {
  interrupted = 1;
  if (signal_target) caffesta_client_cancel(signal_target);
}

// The request log: called on this thread, once per attempt.
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
  std::vector<nlohmann::json> products;
  for (size_t i = 0; i < args.size(); i += 3) {
    // The price: a JSON number parsed from the argument, refused unless it is one.
    nlohmann::json price = nlohmann::json::parse(args[i + 2], nullptr, false);
    if (!price.is_number()) {
      std::cerr << "PRICE must be a number, such as 2.50\n";
      return 2;
    }
    products.push_back({
        {"ref_code", args[i]},          {"name", args[i + 1]},    {"measure", "pcs"},
        {"type", "product"},            {"cancellation_type", 1}, {"for_sale", true},
        {"use_discounts", true},        {"caf_tax_id", 1},        {"category_ref_code", "coffee"},
        {"workspace_ref_code", "bar"},
        {"prices", {{{"caf_shop_id", 2}, {"caf_storage_id", 1}, {"price", price}, {"self_cost", 0}}}},
    });
  }
  const char *account = std::getenv("CAFFESTA_ACCOUNT");
  const char *key = std::getenv("CAFFESTA_API_KEY");
  const char *base_url = std::getenv("CAFFESTA_BASE_URL");
  if (key == nullptr || *key == '\0') {
    std::cerr << "set CAFFESTA_API_KEY to the account's API key (and CAFFESTA_ACCOUNT to its name)\n";
    return 2;
  }
  size_t done = 0;
  try {
    caffesta::Client client(account ? account : "demo", key);
    if (base_url) client.set_base_url(base_url);
    if (verbose) caffesta_client_set_log(client.get(), print_event, nullptr);
    signal_target = client.get();
    std::signal(SIGINT, on_sigint);
    client.auth_test();
    for (; done < products.size() && !interrupted; done++) {
      nlohmann::json result = nlohmann::json::parse(client.upsert_product(products[done].dump()));
      std::cout << "C++ upsert: " << result["action"].get<std::string>() << " " << result["ref_code"].get<std::string>()
                << " as id " << result["id"] << "\n";
    }
    signal_target = nullptr;
  } catch (const caffesta::Error &e) {
    signal_target = nullptr;
    std::cerr << e.what() << "\n";
    if (!interrupted) return 1;
  }
  if (interrupted) {
    std::cerr << "interrupted: " << done << " of " << products.size() << " products written, the rest not sent\n";
    return 130;
  }
  return 0;
}
