/*
 * Prior baseline in plain C99, written against plugin_api.h alone (no SDK, no C++): proves the
 * ABI is C. Predicts the same output for every sample:
 *   classification (int32 targets): the log of the smoothed class frequencies as logits;
 *   regression (float32 targets):   the mean training target.
 */
#include <gauntlet/plugin_api.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERROR_CAPACITY 512

/* The plugin owns the definition of the opaque instance type. */
struct gauntlet_instance {
  int64_t outs;      /* values per output sample (product of the output shape[1:]) */
  float* prediction; /* [outs]: what every sample gets */
  int trained;
  char error[ERROR_CAPACITY];
};

static char g_create_error[ERROR_CAPACITY];
static const gauntlet_host_api* g_host;

static gauntlet_status fail(char* slot, gauntlet_status status, const char* format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(slot, ERROR_CAPACITY, format, args);
  va_end(args);
  return status;
}

static void host_log(int32_t level, const char* message) {
  if (g_host && g_host->struct_size >= offsetof(gauntlet_host_api, log) + sizeof(g_host->log) && g_host->log)
    g_host->log(g_host, level, message);
}

static int is_dtype(gauntlet_dtype d, uint8_t code, uint8_t bits) {
  return d.code == code && d.bits == bits && d.lanes == 1;
}

/* Offset in elements of element j (row-major index within one sample) of sample i. */
static int64_t element_offset(const gauntlet_tensor* t, int64_t i, int64_t j) {
  int64_t offset = 0, compact = 1;
  int d;
  for (d = t->ndim - 1; d >= 1; --d) {
    const int64_t idx = j % t->shape[d];
    j /= t->shape[d];
    offset += idx * (t->strides ? t->strides[d] : compact);
    compact *= t->shape[d];
  }
  return offset + i * (t->strides ? t->strides[0] : compact);
}

static int64_t sample_numel(const int64_t* shape, int32_t ndim) {
  int64_t n = 1;
  int32_t d;
  for (d = 1; d < ndim; ++d) n *= shape[d];
  return n;
}

static const gauntlet_plugin_info k_info = {
    sizeof(gauntlet_plugin_info),
    0,
    "class-prior",
    "Team Prior",
    "1.0",
    "Predicts the class prior (log frequencies) or the mean target, whatever the input",
    GAUNTLET_CAP_TRAIN};

static const gauntlet_plugin_info* prior_get_info(void) { return &k_info; }

static gauntlet_status prior_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  gauntlet_instance* inst;
  g_create_error[0] = '\0';
  if (!out) return fail(g_create_error, GAUNTLET_INVALID_ARGUMENT, "create: out_instance is NULL");
  *out = NULL;
  if (!args || args->struct_size < sizeof(gauntlet_create_args))
    return fail(g_create_error, GAUNTLET_INVALID_ARGUMENT, "create: missing or truncated arguments");
  inst = (gauntlet_instance*)calloc(1, sizeof(*inst));
  if (!inst) return fail(g_create_error, GAUNTLET_OUT_OF_MEMORY, "create: out of memory");
  *out = inst;
  return GAUNTLET_OK;
}

static gauntlet_status prior_prepare(gauntlet_instance* inst, const gauntlet_prepare_args* args) {
  const gauntlet_tensor_spec* spec;
  int64_t i;
  if (!inst) return GAUNTLET_INVALID_ARGUMENT;
  inst->error[0] = '\0';
  if (!args || args->struct_size < sizeof(gauntlet_prepare_args) || !args->outputs)
    return fail(inst->error, GAUNTLET_INVALID_ARGUMENT, "prepare: missing or truncated arguments");
  if (args->num_outputs != 1)
    return fail(inst->error, GAUNTLET_UNSUPPORTED, "class-prior serves exactly one output, got %u",
                (unsigned)args->num_outputs);
  spec = args->outputs;
  if (!is_dtype(spec->dtype, GAUNTLET_DTYPE_FLOAT, 32))
    return fail(inst->error, GAUNTLET_UNSUPPORTED, "output '%s' must be f32", spec->name ? spec->name : "");
  inst->outs = sample_numel(spec->shape, spec->ndim);
  if (inst->outs < 1) return fail(inst->error, GAUNTLET_UNSUPPORTED, "output has no fixed per-sample size");
  free(inst->prediction);
  inst->prediction = (float*)malloc((size_t)inst->outs * sizeof(float));
  if (!inst->prediction) return fail(inst->error, GAUNTLET_OUT_OF_MEMORY, "prepare: out of memory");
  for (i = 0; i < inst->outs; ++i) inst->prediction[i] = 0.0f; /* uniform until trained */
  return GAUNTLET_OK;
}

static gauntlet_status prior_train(gauntlet_instance* inst, const gauntlet_train_args* args) {
  const gauntlet_tensor* y;
  int64_t n, i, j;
  double* acc;
  if (!inst) return GAUNTLET_INVALID_ARGUMENT;
  inst->error[0] = '\0';
  if (!inst->prediction)
    return fail(inst->error, GAUNTLET_INVALID_ARGUMENT, "train() called before prepare()");
  if (!args || args->struct_size < sizeof(gauntlet_train_args) || args->num_targets != 1 || !args->targets)
    return fail(inst->error, GAUNTLET_INVALID_ARGUMENT, "train: expected exactly one target tensor");
  y = &args->targets[0];
  n = y->shape[0];
  if (n < 1) return fail(inst->error, GAUNTLET_INVALID_ARGUMENT, "train: no training samples");
  acc = (double*)calloc((size_t)inst->outs, sizeof(double));
  if (!acc) return fail(inst->error, GAUNTLET_OUT_OF_MEMORY, "train: out of memory");

  if (is_dtype(y->dtype, GAUNTLET_DTYPE_INT, 32)) {
    /* Classification: count labels, logits = log((count + 1) / (n + classes)). */
    const int32_t* labels = (const int32_t*)((const char*)y->data + y->byte_offset);
    for (i = 0; i < n; ++i) {
      const int32_t label = labels[element_offset(y, i, 0)];
      if (label < 0 || label >= inst->outs) {
        free(acc);
        return fail(inst->error, GAUNTLET_INVALID_ARGUMENT, "label %d of sample %lld is outside [0, %lld)",
                    (int)label, (long long)i, (long long)inst->outs);
      }
      acc[label] += 1.0;
    }
    for (j = 0; j < inst->outs; ++j)
      inst->prediction[j] = (float)log((acc[j] + 1.0) / ((double)n + (double)inst->outs));
    host_log(GAUNTLET_LOG_INFO, "class-prior: learned class frequencies");
  } else if (is_dtype(y->dtype, GAUNTLET_DTYPE_FLOAT, 32)) {
    /* Regression: the mean of each target element. */
    const float* values = (const float*)((const char*)y->data + y->byte_offset);
    if (sample_numel(y->shape, y->ndim) != inst->outs) {
      free(acc);
      return fail(inst->error, GAUNTLET_INVALID_ARGUMENT,
                  "targets have %lld values per sample, the output %lld",
                  (long long)sample_numel(y->shape, y->ndim), (long long)inst->outs);
    }
    for (i = 0; i < n; ++i)
      for (j = 0; j < inst->outs; ++j) acc[j] += values[element_offset(y, i, j)];
    for (j = 0; j < inst->outs; ++j) inst->prediction[j] = (float)(acc[j] / (double)n);
    host_log(GAUNTLET_LOG_INFO, "class-prior: learned the mean target");
  } else {
    free(acc);
    return fail(inst->error, GAUNTLET_UNSUPPORTED, "targets must be s32 labels or f32 values");
  }
  free(acc);
  inst->trained = 1;
  return GAUNTLET_OK;
}

static gauntlet_status prior_infer(gauntlet_instance* inst, const gauntlet_infer_args* args) {
  const gauntlet_tensor* out;
  float* base;
  int64_t i, j;
  if (!inst) return GAUNTLET_INVALID_ARGUMENT;
  inst->error[0] = '\0';
  if (!inst->prediction)
    return fail(inst->error, GAUNTLET_INVALID_ARGUMENT, "infer() called before prepare()");
  if (!args || args->struct_size < sizeof(gauntlet_infer_args) || args->num_outputs != 1 || !args->outputs)
    return fail(inst->error, GAUNTLET_INVALID_ARGUMENT, "infer: expected exactly one output tensor");
  out = &args->outputs[0];
  if (!is_dtype(out->dtype, GAUNTLET_DTYPE_FLOAT, 32) || sample_numel(out->shape, out->ndim) != inst->outs)
    return fail(inst->error, GAUNTLET_INVALID_ARGUMENT, "infer: the output does not match the prepared spec");
  base = (float*)((char*)out->data + out->byte_offset);
  for (i = 0; i < args->batch_size; ++i)
    for (j = 0; j < inst->outs; ++j) base[element_offset(out, i, j)] = inst->prediction[j];
  return GAUNTLET_OK;
}

static void prior_destroy(gauntlet_instance* inst) {
  if (!inst) return;
  free(inst->prediction);
  free(inst);
}

static const char* prior_last_error(const gauntlet_instance* inst) {
  return inst ? inst->error : g_create_error;
}

static const gauntlet_plugin_api k_api = {
    sizeof(gauntlet_plugin_api),
    GAUNTLET_ABI_MAJOR,
    GAUNTLET_ABI_MINOR,
    0,
    prior_get_info,
    prior_create,
    prior_prepare,
    prior_train,
    prior_infer,
    prior_destroy,
    prior_last_error,
};

const gauntlet_plugin_api* gauntlet_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                                                 const gauntlet_host_api* host) {
  (void)host_abi_minor;
  if (host_abi_major != GAUNTLET_ABI_MAJOR) return NULL;
  g_host = host;
  return &k_api;
}
