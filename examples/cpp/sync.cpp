// Catalog sync from C++, as a till's software would link libcaffesta: include/caffesta.hpp (RAII,
// exceptions) for the client, and a JSON library (nlohmann/json, Debian's nlohmann-json3-dev) for
// the body, so that any name or price is written as valid JSON.
//
//   c++ -std=c++11 sync.cpp $(pkg-config --cflags --libs caffesta nlohmann_json) -o sync
//   scripts/with-emulator.sh examples/build/sync-cpp latte "Латте \"большой\"" 2.50
//   CAFFESTA_ACCOUNT=mycafe CAFFESTA_API_KEY=... ./sync REF_CODE NAME PRICE
#include <caffesta.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char **argv) {
  if (argc != 4) {
    std::cerr << "usage: " << argv[0] << " REF_CODE NAME PRICE\n";
    return 2;
  }
  const char *account = std::getenv("CAFFESTA_ACCOUNT");
  const char *key = std::getenv("CAFFESTA_API_KEY");
  const char *base_url = std::getenv("CAFFESTA_BASE_URL");
  // The price: a JSON number parsed from the argument, refused unless it is one.
  nlohmann::json price = nlohmann::json::parse(argv[3], nullptr, false);
  if (!price.is_number()) {
    std::cerr << "PRICE must be a number, such as 2.50\n";
    return 2;
  }
  nlohmann::json product = {
      {"ref_code", argv[1]},          {"name", argv[2]},        {"measure", "pcs"},
      {"type", "product"},            {"cancellation_type", 1}, {"for_sale", true},
      {"use_discounts", true},        {"caf_tax_id", 1},        {"category_ref_code", "coffee"},
      {"workspace_ref_code", "bar"},
      {"prices", {{{"caf_shop_id", 2}, {"caf_storage_id", 1}, {"price", price}, {"self_cost", 0}}}},
  };
  try {
    caffesta::Client client(account ? account : "demo", key ? key : "");
    if (base_url) client.set_base_url(base_url);
    client.auth_test();
    nlohmann::json result = nlohmann::json::parse(client.upsert_product(product.dump()));
    std::cout << "C++ upsert: " << result["action"].get<std::string>() << " " << result["ref_code"].get<std::string>()
              << " as id " << result["id"] << "\n";
  } catch (const caffesta::Error &e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
