// Catalog sync from C++, as a till's software would link libcaffesta: a small RAII wrapper
// that turns statuses into exceptions and frees every string the library hands out.
//
//   c++ -std=c++17 sync.cpp $(pkg-config --cflags --libs caffesta) -o sync
//   CAFFESTA_BASE_URL=http://127.0.0.1:8765 CAFFESTA_API_KEY=... ./sync ref-code "Name" 2.50
#include <caffesta.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

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

int main(int argc, char **argv) {
  if (argc != 4) {
    std::cerr << "usage: " << argv[0] << " REF_CODE NAME PRICE\n";
    return 2;
  }
  const char *account = std::getenv("CAFFESTA_ACCOUNT");
  const char *key = std::getenv("CAFFESTA_API_KEY");
  const char *base_url = std::getenv("CAFFESTA_BASE_URL");
  try {
    caffesta::Client client(account ? account : "demo", key ? key : "");
    if (base_url) client.set_base_url(base_url);
    client.auth_test();
    // Real code would build this with a JSON library; names here must not need escaping.
    std::string product = std::string("{\"ref_code\":\"") + argv[1] + "\",\"name\":\"" + argv[2] +
                          "\",\"measure\":\"pcs\",\"type\":\"product\",\"cancellation_type\":1,\"for_sale\":true,"
                          "\"use_discounts\":true,\"caf_tax_id\":1,\"category_ref_code\":\"coffee\","
                          "\"workspace_ref_code\":\"bar\",\"prices\":[{\"caf_shop_id\":2,\"caf_storage_id\":1,"
                          "\"price\":" + argv[3] + ",\"self_cost\":0}]}";
    std::cout << "C++ upsert: " << client.upsert_product(product) << "\n";
  } catch (const caffesta::Error &e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
