// The header compiles as C++ with -Wall -Wextra -pedantic, and the library links from C++.
#include <caffesta.h>
#include <cstdio>
#include <cstring>

int main() {
  static_assert(CAFFESTA_VERSION_MAJOR == 1, "major version");
  if (std::strcmp(caffesta_version(), CAFFESTA_VERSION_STRING) != 0) {
    std::printf("FAIL runtime version %s != header %s\n", caffesta_version(), CAFFESTA_VERSION_STRING);
    return 1;
  }
  std::printf("ok   header compiles as C++ and links: version %s\n", caffesta_version());
  return 0;
}
