/* Boilerplate for the judge's test plugins, in plain C against plugin_api.h alone.
 *
 * A test plugin defines only the behaviour it is about, as macros naming its functions,
 * before including this file:
 *   TEST_INFER(instance, args)   default: writes 0 to every output element
 *   TEST_CREATE(args, out)       default: succeeds
 *   TEST_DESTROY(instance)       default: frees the instance
 *   TEST_TRAIN(instance, args)   default: none (the plugin does not train)
 *   TEST_CAPABILITIES            default: 0 (GAUNTLET_CAP_TRAIN with a TEST_TRAIN)
 *   TEST_ABI_MAJOR               default: GAUNTLET_ABI_MAJOR (what the table declares)
 *   TEST_TABLE_SIZE              default: sizeof(gauntlet_plugin_api)
 *   TEST_NAME                    default: "test-plugin"
 * Everything else is a well-behaved plugin. */
#ifndef GAUNTLET_TEST_MINIMAL_PLUGIN_H
#define GAUNTLET_TEST_MINIMAL_PLUGIN_H

#include <gauntlet/plugin_api.h>

#include <stdlib.h>
#include <string.h>

#ifndef TEST_NAME
#define TEST_NAME "test-plugin"
#endif
#ifndef TEST_ABI_MAJOR
#define TEST_ABI_MAJOR GAUNTLET_ABI_MAJOR
#endif
#ifndef TEST_TABLE_SIZE
#define TEST_TABLE_SIZE sizeof(gauntlet_plugin_api)
#endif

/* The defaults stay defined when a test replaces them (a replacement may call them). */
#define TEST_MAYBE_UNUSED __attribute__((unused))

struct gauntlet_instance {
  int unused;
};

static const gauntlet_host_api* test_host = NULL;

#ifndef TEST_CAPABILITIES
#ifdef TEST_TRAIN
#define TEST_CAPABILITIES GAUNTLET_CAP_TRAIN
#else
#define TEST_CAPABILITIES 0
#endif
#endif
#ifndef TEST_TRAIN
#define TEST_TRAIN NULL
#endif

static const gauntlet_plugin_info test_info = {sizeof(gauntlet_plugin_info),
                                               0,
                                               TEST_NAME,
                                               "Test Team",
                                               "1.0",
                                               "a plugin of the judge's test suite",
                                               TEST_CAPABILITIES};

static const gauntlet_plugin_info* test_get_info(void) { return &test_info; }

TEST_MAYBE_UNUSED static gauntlet_status test_default_create(const gauntlet_create_args* args,
                                                             gauntlet_instance** out) {
  (void)args;
  *out = (gauntlet_instance*)calloc(1, sizeof(gauntlet_instance));
  return *out ? GAUNTLET_OK : GAUNTLET_OUT_OF_MEMORY;
}
#ifndef TEST_CREATE
#define TEST_CREATE test_default_create
#endif

static gauntlet_status test_prepare(gauntlet_instance* instance, const gauntlet_prepare_args* args) {
  (void)instance;
  (void)args;
  return GAUNTLET_OK;
}

/* Bytes of one tensor's batch, from its shape and dtype. */
static size_t test_tensor_bytes(const gauntlet_tensor* t) {
  size_t n = t->dtype.bits / 8u;
  for (int32_t d = 0; d < t->ndim; ++d) n *= (size_t)t->shape[d];
  return n;
}

TEST_MAYBE_UNUSED static gauntlet_status test_default_infer(gauntlet_instance* instance,
                                                            const gauntlet_infer_args* args) {
  (void)instance;
  for (uint32_t i = 0; i < args->num_outputs; ++i)
    memset((char*)args->outputs[i].data + args->outputs[i].byte_offset, 0,
           test_tensor_bytes(&args->outputs[i]));
  return GAUNTLET_OK;
}
#ifndef TEST_INFER
#define TEST_INFER test_default_infer
#endif

TEST_MAYBE_UNUSED static void test_default_destroy(gauntlet_instance* instance) { free(instance); }
#ifndef TEST_DESTROY
#define TEST_DESTROY test_default_destroy
#endif

#ifndef TEST_LAST_ERROR_TEXT
#define TEST_LAST_ERROR_TEXT ""
#endif
static const char* test_last_error(const gauntlet_instance* instance) {
  (void)instance;
  return TEST_LAST_ERROR_TEXT;
}

static const gauntlet_plugin_api test_api = {(uint32_t)(TEST_TABLE_SIZE),
                                             TEST_ABI_MAJOR,
                                             GAUNTLET_ABI_MINOR,
                                             0,
                                             test_get_info,
                                             TEST_CREATE,
                                             test_prepare,
                                             TEST_TRAIN,
                                             TEST_INFER,
                                             TEST_DESTROY,
                                             test_last_error};

#ifndef TEST_CUSTOM_ENTRY
GAUNTLET_EXPORT const gauntlet_plugin_api* gauntlet_plugin_entry(uint32_t host_abi_major,
                                                                 uint32_t host_abi_minor,
                                                                 const gauntlet_host_api* host) {
  (void)host_abi_minor;
  if (host_abi_major != GAUNTLET_ABI_MAJOR) return NULL;
  test_host = host;
  return &test_api;
}
#endif

#endif
