/* A deterministic stand-in for a real classifier, for the hostile plugins that attack the
 * judging of classifiers (tests/data/hostile-classes): logits = W x with fixed pseudo-random
 * weights, repeated `rounds` times so that a call costs what a small model costs (about 4 us
 * per round per 28x28 image on this project's machines). Not accurate, but a function of the
 * input: what the judge's consistency check compares. */
#ifndef GAUNTLET_TEST_CLASSIFIER_H
#define GAUNTLET_TEST_CLASSIFIER_H

#include <stdint.h>
#include <string.h>

#define CLASSIFIER_FEATURES 784
#define CLASSIFIER_CLASSES 10

static float classifier_weights[CLASSIFIER_CLASSES * CLASSIFIER_FEATURES];

static void classifier_init(void) {
  uint32_t state = 12345u;
  for (int i = 0; i < CLASSIFIER_CLASSES * CLASSIFIER_FEATURES; ++i) {
    state = state * 1664525u + 1013904223u;
    classifier_weights[i] = (float)((int32_t)(state >> 8) % 2001 - 1000) * 1e-4f;
  }
}

/* logits[10] of one image x[784]. */
static void classifier_run(const float* x, float* logits, int rounds) {
  for (int c = 0; c < CLASSIFIER_CLASSES; ++c) logits[c] = 0;
  for (int r = 0; r < rounds; ++r)
    for (int c = 0; c < CLASSIFIER_CLASSES; ++c) {
      const float* w = classifier_weights + c * CLASSIFIER_FEATURES;
      float s = 0;
      for (int f = 0; f < CLASSIFIER_FEATURES; ++f) s += w[f] * x[f];
      logits[c] += s / (float)rounds;
    }
}

#endif
