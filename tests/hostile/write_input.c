/* expected verdict: CRASH; reason: "SIGSEGV". Tries to make its input writable (mprotect) to
 * change the data every pass reads, then writes it: the region is mapped read-only from a
 * memfd sealed against writes, so mprotect fails and the write faults. */
#include <gauntlet/plugin_api.h>
#include <stdint.h>
#include <sys/mman.h>
static gauntlet_status scribbling_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER scribbling_infer
#include "hostile.h"
static gauntlet_status scribbling_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  float* input = (float*)args->inputs[0].data;
  uintptr_t page = (uintptr_t)input & ~(uintptr_t)4095;
  if (mprotect((void*)page, 4096, PROT_READ | PROT_WRITE) == 0)
    fprintf(stderr, "hostile: mprotect succeeded\n");
  input[0] = 1e30f;
  return test_default_infer(instance, args);
}
