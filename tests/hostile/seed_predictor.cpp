/* expected verdict: PLUGIN_ERROR; reason: "no timed call carried the samples predicted from the seed".
 * Knows the public test data (the hostile suite puts the public split's features in its asset
 * folder, as a team holds the public split when it judges locally) and its create() seed, and
 * predicts the timed calls from them: the samples drawn by a generator seeded with the seed, in
 * order, the way the judge once drew them. It recognises every sample it is shown, but if the
 * first four batch-1 calls do not carry its prediction, it has nothing to answer from a
 * precomputed table: it says so. Answering from the table would be OK (the attack succeeded). */
#include <gauntlet/plugin_api.h>

#include <dirent.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

static gauntlet_status predicting_create(const gauntlet_create_args* args, gauntlet_instance** out);
static gauntlet_status predicting_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_CREATE predicting_create
#define TEST_INFER predicting_infer
#include "hostile.h"

namespace {

constexpr int kFeatures = 4;
std::map<std::string, int64_t> g_index;  // the bytes of a sample -> its position in the public split
std::vector<int64_t> g_predicted;        // the samples of the timed calls, as predicted
std::size_t g_checked = 0, g_hits = 0;

}  // namespace

static gauntlet_status predicting_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  if (!args->asset_dir) HOSTILE_FAIL("no asset folder");
  const std::string path = std::string(args->asset_dir) + "/public_features.bin";
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    std::string listing;
    if (DIR* d = opendir(args->asset_dir)) {
      while (const dirent* e = readdir(d)) listing += std::string(" ") + e->d_name;
      closedir(d);
    }
    HOSTILE_FAIL("cannot open %s: %s (the folder holds:%s)", path.c_str(), strerror(errno), listing.c_str());
  }
  std::vector<float> sample(kFeatures);
  for (int64_t i = 0; std::fread(sample.data(), sizeof(float), kFeatures, f) == kFeatures; ++i)
    g_index.emplace(std::string(reinterpret_cast<const char*>(sample.data()), sizeof(float) * kFeatures), i);
  std::fclose(f);
  if (g_index.empty()) HOSTILE_FAIL("empty public data");
  std::mt19937_64 rng(args->seed);
  for (int i = 0; i < 64; ++i) g_predicted.push_back(static_cast<int64_t>(rng() % g_index.size()));
  return test_default_create(args, out);
}

static gauntlet_status predicting_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  if (args->batch_size == 1 && g_checked < 4) {
    // (A prediction must be checked before its calls are over: a plugin that never recognises
    // a sample has nothing to predict with, and says so at the evaluation pass.)
    const auto* x = static_cast<const char*>(args->inputs[0].data);
    const auto it = g_index.find(std::string(x, sizeof(float) * kFeatures));
    // Warm-ups present training samples, which are not in the public test data.
    if (it == g_index.end()) return test_default_infer(instance, args);
    if (it->second == g_predicted[g_checked]) ++g_hits;
    if (++g_checked == 4 && g_hits < 4)
      HOSTILE_FAIL(
          "no timed call carried the samples predicted from the seed (%zu of 4; each sample was "
          "recognised in the public data)",
          g_hits);
  }
  if (args->batch_size != 1 && g_checked < 4)
    HOSTILE_FAIL("recognised only %zu batch-1 samples in the public data", g_checked);
  return test_default_infer(instance, args);
}
