/* Two plugins are built from this file (CLASH_VALUE 1.5 and 4.0) WITHOUT the version script
 * and with default visibility, so that both really export `shared_counter`, `compute` and
 * `compute_via_plt`. Each predicts compute() for every output element: its own value when each
 * library's calls resolve to its own definitions. */
#include <gauntlet/plugin_api.h>

#include <stdlib.h>

#ifndef CLASH_VALUE
#error "define CLASH_VALUE"
#endif
#define CLASH_STR2(x) #x
#define CLASH_STR(x) CLASH_STR2(x)

__attribute__((visibility("default"))) int shared_counter = 0;

__attribute__((visibility("default"))) float compute(void) {
  ++shared_counter;
  return (float)(CLASH_VALUE);
}

/* Calls compute() through the PLT (it is exported and interposable): which definition runs is
 * the dynamic linker's choice, not the compiler's. */
__attribute__((visibility("default"))) float compute_via_plt(void) { return compute(); }

struct gauntlet_instance {
  int unused;
};

static const gauntlet_plugin_info k_info = {
    sizeof(gauntlet_plugin_info), 0, "clash-" CLASH_STR(CLASH_VALUE), "Compat Team", "1.0",
    "exports clashing symbols",   0};
static const gauntlet_plugin_info* get_info(void) { return &k_info; }

static gauntlet_status create(const gauntlet_create_args* args, gauntlet_instance** out) {
  (void)args;
  *out = (gauntlet_instance*)calloc(1, sizeof(gauntlet_instance));
  return *out ? GAUNTLET_OK : GAUNTLET_OUT_OF_MEMORY;
}

static gauntlet_status prepare(gauntlet_instance* instance, const gauntlet_prepare_args* args) {
  (void)instance;
  (void)args;
  return GAUNTLET_OK;
}

static gauntlet_status infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  const gauntlet_tensor* t = &args->outputs[0];
  float* out = (float*)((char*)t->data + t->byte_offset);
  int64_t n = 1, i;
  int32_t d;
  (void)instance;
  for (d = 0; d < t->ndim; ++d) n *= t->shape[d];
  for (i = 0; i < n; ++i) out[i] = compute_via_plt(); /* the tiny challenge's outputs are compact */
  return GAUNTLET_OK;
}

static void destroy(gauntlet_instance* instance) { free(instance); }
static const char* last_error(const gauntlet_instance* instance) {
  (void)instance;
  return "";
}

static const gauntlet_plugin_api k_api = {sizeof(gauntlet_plugin_api),
                                          GAUNTLET_ABI_MAJOR,
                                          GAUNTLET_ABI_MINOR,
                                          0,
                                          get_info,
                                          create,
                                          prepare,
                                          NULL,
                                          infer,
                                          destroy,
                                          last_error};

const gauntlet_plugin_api* gauntlet_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                                                 const gauntlet_host_api* host) {
  (void)host_abi_minor;
  (void)host;
  return host_abi_major == GAUNTLET_ABI_MAJOR ? &k_api : NULL;
}
