/* Compiled by the compat.header.* tests as C99/C11/C17 and (with -x c++) C++11/14/17/20, with
 * gcc and clang, under -Wall -Wextra -pedantic -Werror: the ABI header must be clean in every
 * language a team may write a plugin in. It uses every type, so that a declaration that only
 * breaks when used is caught too. */
#include <gauntlet/plugin_api.h>

static const gauntlet_plugin_info check_info = {
    sizeof(gauntlet_plugin_info), 0, "check", "team", "1", NULL, 0};

static const gauntlet_plugin_info* check_get_info(void) { return &check_info; }

static gauntlet_status check_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  const gauntlet_config_entry* entry = args->num_config ? &args->config[0] : NULL;
  *out = NULL;
  return entry && entry->key ? GAUNTLET_OK : GAUNTLET_INVALID_ARGUMENT;
}

static gauntlet_status check_prepare(gauntlet_instance* instance, const gauntlet_prepare_args* args) {
  const gauntlet_tensor_spec* spec = args->num_inputs ? &args->inputs[0] : NULL;
  (void)instance;
  return spec && spec->dtype.code == GAUNTLET_DTYPE_FLOAT ? GAUNTLET_OK : GAUNTLET_UNSUPPORTED;
}

static gauntlet_status check_train(gauntlet_instance* instance, const gauntlet_train_args* args) {
  (void)instance;
  return args->time_limit_seconds > 0 ? GAUNTLET_OK : GAUNTLET_CANCELLED;
}

static gauntlet_status check_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  gauntlet_tensor* out = args->num_outputs ? &args->outputs[0] : NULL;
  gauntlet_device cpu = {GAUNTLET_DEVICE_CPU, 0};
  (void)instance;
  if (!out || out->device.device_type != cpu.device_type || (out->flags & GAUNTLET_TENSOR_READ_ONLY))
    return GAUNTLET_ERROR;
  return args->batch_size > 0 ? GAUNTLET_OK : GAUNTLET_OUT_OF_MEMORY;
}

static void check_destroy(gauntlet_instance* instance) { (void)instance; }

static const char* check_last_error(const gauntlet_instance* instance) {
  (void)instance;
  return "";
}

static const gauntlet_plugin_api check_api = {sizeof(gauntlet_plugin_api),
                                              GAUNTLET_ABI_MAJOR,
                                              GAUNTLET_ABI_MINOR,
                                              0,
                                              check_get_info,
                                              check_create,
                                              check_prepare,
                                              check_train,
                                              check_infer,
                                              check_destroy,
                                              check_last_error};

const gauntlet_plugin_api* gauntlet_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                                                 const gauntlet_host_api* host) {
  (void)host_abi_minor;
  if (host && host->log) host->log(host, GAUNTLET_LOG_INFO, GAUNTLET_ENTRY_SYMBOL);
  return host_abi_major == GAUNTLET_ABI_MAJOR ? &check_api : NULL;
}

/* The entry has the type the host looks it up as. */
static const gauntlet_plugin_entry_fn check_entry_type = gauntlet_plugin_entry;
const void* gauntlet_check_use(void);
const void* gauntlet_check_use(void) { return (const void*)&check_entry_type; }
