/*
 * Gauntlet plugin ABI, version 1.
 *
 * This is the only contract between the Gauntlet judge (the "host") and a team's shared
 * library (the "plugin"). It is plain C99 (also valid C11 and C++11..20), depends on nothing
 * but <stdint.h>/<stddef.h>, and no C++, Boost or oneDNN type ever crosses it.
 *
 * How the two sides meet
 * ----------------------
 * The plugin exports exactly one symbol, GAUNTLET_ENTRY_SYMBOL ("gauntlet_plugin_entry").
 * The judge's worker process loads the library with RTLD_NOW | RTLD_LOCAL, calls the entry
 * once with its own ABI version and its services table, and receives the plugin's function
 * table. Everything else is reached through that table.
 *
 * Versioning
 * ----------
 * - GAUNTLET_ABI_MAJOR changes only when a layout or a meaning changes incompatibly. A host
 *   never uses a plugin built for another major version (verdict ABI_MISMATCH), and a plugin
 *   returns NULL from the entry when it cannot serve the host's major version.
 * - GAUNTLET_ABI_MINOR grows when fields are appended. Every struct that may grow starts with
 *   `struct_size` (sizeof as compiled by the side that filled it in). A reader never reads a
 *   field that lies beyond the struct_size its writer declared, and treats such a field as
 *   absent (NULL / 0). Fields are never removed, reordered or retyped within a major
 *   version: the v1 layout is frozen by the static assertions at the end of this file.
 * - Arrays of structs (the specs given to prepare()) are laid out by the host with the
 *   element size of the minor version the PLUGIN declared in its table, so that plain
 *   indexing (`specs[i]`) is always right for the plugin that was compiled against it.
 *   struct_size of each element then equals the plugin's own sizeof. A host OLDER than the
 *   plugin cannot know that size and uses its own: struct_size is then smaller than the
 *   plugin's sizeof, and a plugin that wants to run on older hosts steps by struct_size (the
 *   C++ SDK does).
 *
 * Threads and lifetime, in one paragraph
 * --------------------------------------
 * The host calls every plugin function from one thread, the "plugin thread", and never two
 * plugin functions concurrently. Inside a call the plugin may start its own threads (up to
 * the thread budget given to create()); they must all be idle when the call returns: the host
 * snapshots outputs the moment a call returns, and later writes change nothing. The host
 * services (log, should_cancel) are [thread-safe]: any plugin thread may call them at any
 * time between the entry call and the return of destroy().
 *
 * Timing
 * ------
 * Only infer() is timed, by the host, around the whole call. get_info, create, prepare and
 * destroy are untimed (but bounded by wall-clock limits); train() is bounded by the
 * challenge's training time limit.
 */
#ifndef GAUNTLET_PLUGIN_API_H
#define GAUNTLET_PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Version and entry symbol                                                                  */
/* ---------------------------------------------------------------------------------------- */

#define GAUNTLET_ABI_MAJOR 1
#define GAUNTLET_ABI_MINOR 0

/* Name of the single exported function; its type is gauntlet_plugin_entry_fn. */
#define GAUNTLET_ENTRY_SYMBOL "gauntlet_plugin_entry"

#if defined(_WIN32)
#define GAUNTLET_EXPORT __declspec(dllexport)
#else
#define GAUNTLET_EXPORT __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------------------------------- */
/* Status codes                                                                              */
/* ---------------------------------------------------------------------------------------- */

/* Every fallible plugin function returns one of these; never throws, never longjmps out.
 * On a non-OK status the plugin should make last_error() describe the failure. New codes may
 * be added in later minor versions; a host treats an unknown non-zero code as ERROR. */
typedef int32_t gauntlet_status;
#define GAUNTLET_OK 0
#define GAUNTLET_ERROR 1            /* generic failure, see last_error()              */
#define GAUNTLET_INVALID_ARGUMENT 2 /* the host passed something the plugin rejects   */
#define GAUNTLET_UNSUPPORTED 3      /* e.g. a shape or dtype this plugin cannot serve */
#define GAUNTLET_OUT_OF_MEMORY 4    /* an allocation failed: the judge gives MEMORY_LIMIT */
#define GAUNTLET_CANCELLED 5        /* the plugin noticed should_cancel() and stopped */

/* ---------------------------------------------------------------------------------------- */
/* Tensors (DLPack-compatible)                                                               */
/* ---------------------------------------------------------------------------------------- */

/* Element type, bit-identical to DLPack's DLDataType. Gauntlet v1 uses lanes == 1 and
 * the (code, bits) pairs: (FLOAT,32), (INT,32), (INT,64), (UINT,8). */
typedef struct gauntlet_dtype {
  uint8_t code;   /* one of GAUNTLET_DTYPE_* (same numbers as DLDataTypeCode) */
  uint8_t bits;   /* bits per lane: 8, 16, 32, 64 */
  uint16_t lanes; /* vector lanes; always 1 in v1 */
} gauntlet_dtype;

#define GAUNTLET_DTYPE_INT 0
#define GAUNTLET_DTYPE_UINT 1
#define GAUNTLET_DTYPE_FLOAT 2
#define GAUNTLET_DTYPE_BFLOAT 4

/* Device, bit-identical to DLPack's DLDevice. Gauntlet v1 only uses the CPU. */
typedef struct gauntlet_device {
  int32_t device_type; /* GAUNTLET_DEVICE_CPU (== kDLCPU) */
  int32_t device_id;   /* 0 */
} gauntlet_device;

#define GAUNTLET_DEVICE_CPU 1

/* Tensor flags (the `flags` word). Unknown bits must be ignored by readers. */
#define GAUNTLET_TENSOR_READ_ONLY 0x1u  /* data is mapped read-only: writing faults (CRASH)  */
#define GAUNTLET_TENSOR_ALIGNED_64 0x2u /* data + byte_offset is 64-byte aligned            */
#define GAUNTLET_TENSOR_CONTIGUOUS 0x4u /* compact row-major: strides[i] == prod(shape[i+1:]) */

/* A view of host-owned memory. The first seven fields have exactly the layout of DLPack's
 * DLTensor, so `(DLTensor*)&t` is a valid DLTensor for any reader of DLPack.
 *
 * Ownership: the host owns the descriptor, the shape/strides arrays, the name and the data.
 * All of them stay valid for the duration of the call that received the tensor and no
 * longer: a plugin that keeps a pointer across calls has a dangling pointer, even if it
 * happens to still read the same bytes. */
typedef struct gauntlet_tensor {
  void* data;             /* start of the allocation; element (0,..,0) is at
                             (char*)data + byte_offset                                     */
  gauntlet_device device; /* where data lives; always CPU in v1                           */
  int32_t ndim;           /* number of dimensions, >= 1                                   */
  gauntlet_dtype dtype;   /* element type                                                  */
  const int64_t* shape;   /* ndim extents; shape[0] is the batch dimension                */
  const int64_t* strides; /* ndim strides in ELEMENTS (not bytes), or NULL = compact
                             row-major. The host always fills them in v1.                 */
  uint64_t byte_offset;   /* bytes from data to element (0,..,0)                          */
  /* ---- Gauntlet extensions, after the DLTensor prefix ---- */
  uint64_t flags;   /* GAUNTLET_TENSOR_* bits                                       */
  const char* name; /* the tensor's name from the challenge YAML, NUL-terminated    */
} gauntlet_tensor;

/* What a tensor will look like, given to prepare() before any data exists. */
typedef struct gauntlet_tensor_spec {
  uint32_t struct_size; /* sizeof(gauntlet_tensor_spec) as the host compiled it */
  int32_t ndim;
  gauntlet_dtype dtype;
  const char* name;     /* NUL-terminated, as in the challenge YAML */
  const int64_t* shape; /* ndim extents; shape[0] == -1: the batch dimension, which varies */
} gauntlet_tensor_spec;

/* ---------------------------------------------------------------------------------------- */
/* Host services: what the plugin may call                                                  */
/* ---------------------------------------------------------------------------------------- */

#define GAUNTLET_LOG_DEBUG 0
#define GAUNTLET_LOG_INFO 1
#define GAUNTLET_LOG_WARNING 2
#define GAUNTLET_LOG_ERROR 3

/* Filled in by the host; owned by the host; valid from the entry call until destroy()
 * returns (or, if create() is never called, until the library is unloaded). */
typedef struct gauntlet_host_api {
  uint32_t struct_size;  /* sizeof(gauntlet_host_api) as the host compiled it */
  uint32_t abi_major;    /* GAUNTLET_ABI_MAJOR of the host                    */
  uint32_t abi_minor;    /* GAUNTLET_ABI_MINOR of the host                    */
  uint32_t reserved0;    /* zero                                              */
  const char* host_name; /* e.g. "gauntlet 0.1.0", NUL-terminated            */
  void* host_data;       /* host's private pointer; the plugin must not touch it */

  /* [thread-safe] Writes one line to the judge's log of this run. `level` is a
   * GAUNTLET_LOG_* value; `message` is NUL-terminated UTF-8, copied before the call returns.
   * Output is rate- and size-limited by the host: a plugin that floods the log loses lines,
   * never blocks. */
  void (*log)(const struct gauntlet_host_api* host, int32_t level, const char* message);

  /* [thread-safe] Non-zero when the host wants the current call to stop early (its time
   * limit is near). Cheap (a load from shared memory): poll it in long loops of train(). A
   * plugin that ignores it is stopped by force when the limit expires. */
  int32_t (*should_cancel)(const struct gauntlet_host_api* host);
} gauntlet_host_api;

/* ---------------------------------------------------------------------------------------- */
/* Arguments of the plugin calls                                                             */
/* ---------------------------------------------------------------------------------------- */

/* One configuration entry from the challenge YAML's `plugin_config` map. */
typedef struct gauntlet_config_entry {
  const char* key;   /* NUL-terminated */
  const char* value; /* NUL-terminated; scalars are passed as their YAML text */
} gauntlet_config_entry;

/* Plugin capabilities, reported by get_info(). */
#define GAUNTLET_CAP_TRAIN 0x1u /* train() is implemented and wants the training split */

/* Static description of the plugin. Returned by get_info(); owned by the plugin; must stay
 * valid and unchanged while the library is loaded. */
typedef struct gauntlet_plugin_info {
  uint32_t struct_size;    /* sizeof(gauntlet_plugin_info) as the plugin compiled it */
  uint32_t reserved0;      /* zero */
  const char* name;        /* short name of the solution, e.g. "mlp-baseline"         */
  const char* team;        /* team name                                                */
  const char* version;     /* free-form version string of the plugin                   */
  const char* description; /* one line, may be NULL                                    */
  uint64_t capabilities;   /* GAUNTLET_CAP_* bits                                      */
} gauntlet_plugin_info;

typedef struct gauntlet_create_args {
  uint32_t struct_size;                /* sizeof(gauntlet_create_args) as the host compiled it */
  uint32_t num_threads;                /* thread budget: the plugin may use up to this many
                                          threads in total (including the plugin thread)      */
  const char* challenge_id;            /* id of the challenge being judged                     */
  const char* asset_dir;               /* folder of the plugin's own read-only files (weights),
                                          or NULL when it has none                              */
  const gauntlet_config_entry* config; /* `plugin_config` of the challenge YAML               */
  uint32_t num_config;                 /* entries in config                                    */
  uint32_t reserved0;                  /* zero                                                 */
  uint64_t seed;                       /* seed of this run, for reproducible training          */
} gauntlet_create_args;

typedef struct gauntlet_prepare_args {
  uint32_t struct_size; /* sizeof(gauntlet_prepare_args) as the host compiled it */
  uint32_t num_inputs;
  const gauntlet_tensor_spec* inputs; /* what infer() will receive as inputs            */
  uint32_t num_outputs;
  uint32_t num_batch_sizes;
  const gauntlet_tensor_spec* outputs; /* what infer() must write                        */
  const int64_t* batch_sizes;          /* every batch size infer() will be called with,
                                          ascending; the last is the largest              */
} gauntlet_prepare_args;

typedef struct gauntlet_train_args {
  uint32_t struct_size; /* sizeof(gauntlet_train_args) as the host compiled it */
  uint32_t num_inputs;
  const gauntlet_tensor* inputs; /* the whole training split, read-only, same names,
                                    dtypes and per-sample shapes as infer()'s inputs  */
  uint32_t num_targets;
  uint32_t reserved0;             /* zero */
  const gauntlet_tensor* targets; /* training targets (e.g. int32 class labels [N])    */
  double time_limit_seconds;      /* wall-clock budget of this call; <= 0: none stated  */
} gauntlet_train_args;

typedef struct gauntlet_infer_args {
  uint32_t struct_size; /* sizeof(gauntlet_infer_args) as the host compiled it */
  uint32_t num_inputs;
  const gauntlet_tensor* inputs; /* read-only (GAUNTLET_TENSOR_READ_ONLY), batch first   */
  uint32_t num_outputs;
  uint32_t reserved0;       /* zero */
  gauntlet_tensor* outputs; /* host-allocated; the plugin writes every element      */
  int64_t batch_size;       /* == shape[0] of every input and output                */
} gauntlet_infer_args;

/* Opaque plugin instance, created by create() and owned by the plugin. */
typedef struct gauntlet_instance gauntlet_instance;

/* ---------------------------------------------------------------------------------------- */
/* The plugin's function table                                                               */
/* ---------------------------------------------------------------------------------------- */

/* Returned by the entry function; owned by the plugin; must stay valid and unchanged while
 * the library is loaded (a static const object is the natural choice).
 *
 * Call order, on the plugin thread:
 *   get_info*  create  prepare  train?  infer*  destroy
 * get_info may also be called alone (`gauntlet inspect`). create is called at most once per
 * load in v1; prepare exactly once before train/infer; train only when GAUNTLET_CAP_TRAIN is
 * set and the challenge allows training. After any non-OK status the host calls last_error,
 * then destroy (if an instance exists), and calls nothing else. */
typedef struct gauntlet_plugin_api {
  uint32_t struct_size; /* sizeof(gauntlet_plugin_api) as the plugin compiled it */
  uint32_t abi_major;   /* GAUNTLET_ABI_MAJOR the plugin was compiled against    */
  uint32_t abi_minor;   /* GAUNTLET_ABI_MINOR the plugin was compiled against    */
  uint32_t reserved0;   /* zero                                                  */

  /* [plugin-thread] Static description; see gauntlet_plugin_info. Must not fail; must not
   * allocate per call. Never NULL. */
  const gauntlet_plugin_info* (*get_info)(void);

  /* [plugin-thread] Creates an instance. `args` and everything it points to are owned by the
   * host and valid only during the call: copy what you keep. On success stores the instance
   * in *out_instance and returns GAUNTLET_OK; on failure leaves *out_instance NULL and makes
   * last_error(NULL) describe why. Untimed; bounded by the judge's setup time limit. */
  gauntlet_status (*create)(const gauntlet_create_args* args, gauntlet_instance** out_instance);

  /* [plugin-thread] Tells the plugin the exact tensor interface before any data arrives:
   * build kernels, primitives and scratch buffers here. Untimed; bounded by the setup limit.
   * `args` is valid only during the call. */
  gauntlet_status (*prepare)(gauntlet_instance* instance, const gauntlet_prepare_args* args);

  /* [plugin-thread] Optional: NULL unless GAUNTLET_CAP_TRAIN. Learns from the training split.
   * Tensors are read-only shared memory, valid only during the call. Wall-clock limited by
   * the challenge (time_limit_seconds); poll should_cancel(), which turns on at 90% of the
   * limit. Returning GAUNTLET_CANCELLED after should_cancel() turned on is not a failure:
   * the host evaluates the model as it stands (returning OK with a partial model is the
   * same). Any other non-OK status, or running past the limit, ends the judging. */
  gauntlet_status (*train)(gauntlet_instance* instance, const gauntlet_train_args* args);

  /* [plugin-thread] Computes outputs for one batch. Timed by the host around the whole call.
   * Inputs are read-only shared memory; outputs are shared memory the plugin must fill
   * completely. Both are valid only during the call; the host copies the outputs the moment
   * the call returns, so writes after returning are lost. Must not keep state that depends
   * on earlier inputs: the host may present samples in any order, more than once. */
  gauntlet_status (*infer)(gauntlet_instance* instance, const gauntlet_infer_args* args);

  /* [plugin-thread] Releases the instance and stops every thread the plugin started. The
   * instance pointer is invalid afterwards. Never fails. */
  void (*destroy)(gauntlet_instance* instance);

  /* [plugin-thread] Message describing the last failed call on `instance`, or on create()
   * when `instance` is NULL. NUL-terminated UTF-8, owned by the plugin, valid until the next
   * call on the same instance. May return NULL or "" when there is nothing to say. The host
   * truncates long messages. */
  const char* (*last_error)(const gauntlet_instance* instance);
} gauntlet_plugin_api;

/* The one exported function.
 *
 * Called once per load, on the plugin thread, before anything else. `host_abi_major` and
 * `host_abi_minor` are the host's GAUNTLET_ABI_MAJOR/MINOR. `host` is owned by the host (see
 * gauntlet_host_api for its lifetime). Returns the plugin's table, or NULL when the plugin
 * cannot serve `host_abi_major`. Must be cheap and must not start threads. */
typedef const gauntlet_plugin_api* (*gauntlet_plugin_entry_fn)(uint32_t host_abi_major,
                                                               uint32_t host_abi_minor,
                                                               const gauntlet_host_api* host);

/* Declaration of the entry for plugins that define it themselves (the SDK's export macro
 * does it for C++ plugins). */
GAUNTLET_EXPORT const gauntlet_plugin_api* gauntlet_plugin_entry(uint32_t host_abi_major,
                                                                 uint32_t host_abi_minor,
                                                                 const gauntlet_host_api* host);

/* ---------------------------------------------------------------------------------------- */
/* Frozen v1 layout (LP64). C99 has no static assertion; C11 and C++11 check it here, and    */
/* the test suite checks it again in every language standard.                                */
/* ---------------------------------------------------------------------------------------- */

#if defined(__cplusplus) && __cplusplus >= 201103L
#define GAUNTLET_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define GAUNTLET_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* The v1.0 sizes of the structs that may grow (LP64), for code that must know them
 * without sizeof of a later header: a reader checking that its writer filled in at least
 * v1.0, and a host laying out spec arrays for a plugin of minor version 0. Frozen below. */
#define GAUNTLET_TENSOR_SPEC_V1_SIZE 32
#define GAUNTLET_HOST_API_V1_SIZE 48
#define GAUNTLET_PLUGIN_INFO_V1_SIZE 48
#define GAUNTLET_CREATE_ARGS_V1_SIZE 48
#define GAUNTLET_PREPARE_ARGS_V1_SIZE 40
#define GAUNTLET_TRAIN_ARGS_V1_SIZE 40
#define GAUNTLET_INFER_ARGS_V1_SIZE 40
#define GAUNTLET_PLUGIN_API_V1_SIZE 72

#if defined(GAUNTLET_STATIC_ASSERT) && defined(__LP64__)
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_dtype) == 4, "gauntlet_dtype v1 layout");
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_device) == 8, "gauntlet_device v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_tensor, data) == 0, "gauntlet_tensor v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_tensor, device) == 8, "gauntlet_tensor v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_tensor, ndim) == 16, "gauntlet_tensor v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_tensor, dtype) == 20, "gauntlet_tensor v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_tensor, shape) == 24, "gauntlet_tensor v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_tensor, strides) == 32, "gauntlet_tensor v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_tensor, byte_offset) == 40, "gauntlet_tensor v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_tensor, flags) == 48, "gauntlet_tensor v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_tensor, name) == 56, "gauntlet_tensor v1 layout");
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_tensor) == 64, "gauntlet_tensor v1 layout");
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_tensor_spec) == GAUNTLET_TENSOR_SPEC_V1_SIZE,
                       "gauntlet_tensor_spec v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_host_api, log) == 32, "gauntlet_host_api v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_host_api, should_cancel) == 40, "gauntlet_host_api v1 layout");
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_host_api) == GAUNTLET_HOST_API_V1_SIZE, "gauntlet_host_api v1 layout");
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_plugin_info) == GAUNTLET_PLUGIN_INFO_V1_SIZE,
                       "gauntlet_plugin_info v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_plugin_info, capabilities) == 40, "gauntlet_plugin_info v1 layout");
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_create_args) == GAUNTLET_CREATE_ARGS_V1_SIZE,
                       "gauntlet_create_args v1 layout");
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_prepare_args) == GAUNTLET_PREPARE_ARGS_V1_SIZE,
                       "gauntlet_prepare_args v1 layout");
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_train_args) == GAUNTLET_TRAIN_ARGS_V1_SIZE,
                       "gauntlet_train_args v1 layout");
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_infer_args) == GAUNTLET_INFER_ARGS_V1_SIZE,
                       "gauntlet_infer_args v1 layout");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_plugin_api, get_info) == 16, "gauntlet_plugin_api v1");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_plugin_api, create) == 24, "gauntlet_plugin_api v1");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_plugin_api, prepare) == 32, "gauntlet_plugin_api v1");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_plugin_api, train) == 40, "gauntlet_plugin_api v1");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_plugin_api, infer) == 48, "gauntlet_plugin_api v1");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_plugin_api, destroy) == 56, "gauntlet_plugin_api v1");
GAUNTLET_STATIC_ASSERT(offsetof(gauntlet_plugin_api, last_error) == 64, "gauntlet_plugin_api v1");
GAUNTLET_STATIC_ASSERT(sizeof(gauntlet_plugin_api) == GAUNTLET_PLUGIN_API_V1_SIZE,
                       "gauntlet_plugin_api v1 layout");
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GAUNTLET_PLUGIN_API_H */
