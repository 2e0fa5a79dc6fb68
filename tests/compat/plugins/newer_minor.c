/* A plugin of a NEWER minor version than the host (ABI 1.99, a test-only header generated from
 * the current one with fields appended to gauntlet_plugin_api, gauntlet_plugin_info and
 * gauntlet_host_api). The host must judge it OK, reading nothing past the v1 fields it knows;
 * the plugin in turn must not use a host service the older host does not have (it checks the
 * host's struct_size, as plugin_api.h says a reader must). */
#include <gauntlet/plugin_api.h>

#include <stdlib.h>
#include <string.h>

#if GAUNTLET_ABI_MINOR != 99
#error "newer_minor.c must be compiled against the generated ABI 1.99 header"
#endif

struct gauntlet_instance {
  int unused;
};

static const gauntlet_host_api* g_host;

/* Appended fields hold traps: a host that called or read them would crash or misjudge. */
static void trap(void) { abort(); }

static const gauntlet_plugin_info k_info = {sizeof(gauntlet_plugin_info),
                                            0,
                                            "compat-v1.99",
                                            "Compat Team",
                                            "1.0",
                                            "a plugin from a future minor version",
                                            0,
                                            "future text the v1.0 host never reads"};

static const gauntlet_plugin_info* get_info(void) { return &k_info; }

static gauntlet_status create(const gauntlet_create_args* args, gauntlet_instance** out) {
  (void)args;
  /* The host is older: its services table ends before future_service. */
  if (g_host->struct_size >= offsetof(gauntlet_host_api, future_service) + sizeof(g_host->future_service))
    g_host->future_service(g_host);
  else if (g_host->log)
    g_host->log(g_host, GAUNTLET_LOG_INFO, "compat-v1.99: the host is older, future_service is absent");
  *out = (gauntlet_instance*)calloc(1, sizeof(gauntlet_instance));
  return *out ? GAUNTLET_OK : GAUNTLET_OUT_OF_MEMORY;
}

static gauntlet_status prepare(gauntlet_instance* instance, const gauntlet_prepare_args* args) {
  (void)instance;
  /* Specs come with the host's element size (32 for 1.0); this plugin's header did not grow them. */
  return args->num_inputs && args->inputs[0].struct_size >= 32 ? GAUNTLET_OK : GAUNTLET_INVALID_ARGUMENT;
}

static gauntlet_status infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  uint32_t i;
  (void)instance;
  for (i = 0; i < args->num_outputs; ++i) {
    const gauntlet_tensor* t = &args->outputs[i];
    size_t n = t->dtype.bits / 8u;
    int32_t d;
    for (d = 0; d < t->ndim; ++d) n *= (size_t)t->shape[d];
    memset((char*)t->data + t->byte_offset, 0, n);
  }
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
                                          last_error,
                                          trap,
                                          UINT64_MAX};

const gauntlet_plugin_api* gauntlet_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                                                 const gauntlet_host_api* host) {
  (void)host_abi_minor; /* 0: older than this plugin, which is fine within major 1 */
  if (host_abi_major != GAUNTLET_ABI_MAJOR) return NULL;
  g_host = host;
  return &k_api;
}
