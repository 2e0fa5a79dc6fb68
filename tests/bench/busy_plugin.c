/* expected verdict: OK. Calibrated busy work for the timing-fidelity benchmark: each infer()
 * runs `iterations` (plugin_config) steps of a dependent multiply-add chain, which takes the
 * same time wherever it runs (no memory traffic, no branches to mispredict), then writes zeros. */
#define TEST_NAME "busy"
#define TEST_CREATE busy_create
#define TEST_INFER busy_infer

#include <gauntlet/plugin_api.h>

#include <stdint.h>
#include <stdlib.h>

static gauntlet_status busy_create(const gauntlet_create_args* args, struct gauntlet_instance** out);
static gauntlet_status busy_infer(struct gauntlet_instance* instance, const gauntlet_infer_args* args);

#include "../plugins/minimal_plugin.h"

static uint64_t busy_iterations = 0;
static volatile uint64_t busy_sink = 0;

static gauntlet_status busy_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  for (uint32_t i = 0; i < args->num_config; ++i)
    if (strcmp(args->config[i].key, "iterations") == 0)
      busy_iterations = strtoull(args->config[i].value, NULL, 10);
  return test_default_create(args, out);
}

static gauntlet_status busy_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (uint64_t i = 0; i < busy_iterations; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    __asm__ volatile("" : "+r"(x)); /* keeps the chain: no closed form, no vectorising */
  }
  busy_sink = x;
  return test_default_infer(instance, args);
}
