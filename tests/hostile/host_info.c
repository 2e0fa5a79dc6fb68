/* expected verdict: PLUGIN_ERROR; reason: "found nothing of the host". Looks for the host
 * where a plugin can look without any system call the sandbox denies: the host name, what
 * sysinfo() says (load, uptime, processes, RAM), its own command line, environment and
 * executable name in its memory (the judge's pid and host paths used to be there). Finding
 * anything returns OK: a leak shows up as a wrong verdict. (The worker's heap still holds the
 * sandbox policy it was sent, which names this plugin's own files on the host.) */
#include <errno.h>
#include <gauntlet/plugin_api.h>
#include <sys/auxv.h>
#include <sys/sysinfo.h>
static gauntlet_status looking_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE looking_create
#include "hostile.h"
extern char** environ;
/* Whether `n` bytes at `p` hold `needle`. */
static int holds(const char* p, size_t n, const char* needle) {
  const size_t k = strlen(needle);
  for (size_t i = 0; i + k <= n; ++i)
    if (memcmp(p + i, needle, k) == 0) return 1;
  return 0;
}
static gauntlet_status looking_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) == 0 && strcmp(name, "gauntlet") != 0) {
    fprintf(stderr, "host_info: host name %s\n", name);
    return test_default_create(args, out);
  }
  struct sysinfo info;
  memset(&info, 0, sizeof info);
  if (sysinfo(&info) == 0 &&
      (info.uptime != 0 || info.loads[0] != 0 || info.procs > 1 || info.totalswap != 0)) {
    fprintf(stderr, "host_info: sysinfo: uptime %ld, %u processes\n", (long)info.uptime,
            (unsigned)info.procs);
    return test_default_create(args, out);
  }
  for (char** e = environ; e && *e; ++e)
    if (strncmp(*e, "TMPDIR=/tmp", 11) != 0 && strncmp(*e, "HOME=/tmp", 9) != 0) {
      fprintf(stderr, "host_info: environment: %s\n", *e);
      return test_default_create(args, out);
    }
  /* The strings the kernel put at the top of the stack: the arguments (argv[0] is where
   * program_invocation_name points), the environment, then the executable's name. */
  const char* first = program_invocation_name;
  const char* execfn = (const char*)getauxval(AT_EXECFN);
  if (first && execfn && execfn > first && execfn - first < (1 << 20)) {
    const size_t n = (size_t)(execfn - first) + strlen(execfn);
    if (holds(first, n, "--host-pid") || holds(first, n, "gauntlet-worker") ||
        holds(first, n, HOSTILE_SOURCE_DIR)) {
      fprintf(stderr, "host_info: the command line is still in memory\n");
      return test_default_create(args, out);
    }
  }
  HOSTILE_FAIL("found nothing of the host: host name '%s', %ld s of uptime, %u processes", name,
               (long)info.uptime, (unsigned)info.procs);
}
