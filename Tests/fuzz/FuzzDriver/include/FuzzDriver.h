/* libFuzzer's entry for programs with a main of their own: SwiftPM points an executable's main
 * at <Module>_main, so each fuzz target starts libFuzzer through this. */
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
