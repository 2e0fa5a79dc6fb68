/* expected verdict: PLUGIN_ERROR; reason: "No such file or directory". Tries to read what a
 * cheat wants: the challenge's label file by its real path, the challenge YAML, the judge's
 * own files, other users' files, walking up from its working directory. None exists in the
 * sandbox; if one opens, the plugin returns OK and the test fails. */
#include <fcntl.h>
#include <gauntlet/plugin_api.h>
static gauntlet_status snooping_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE snooping_create
#include "hostile.h"
static gauntlet_status snooping_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  const char* paths[] = {"/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz",
                         "../../../../../usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz",
                         HOSTILE_CHALLENGE_FILE,
                         HOSTILE_SOURCE_DIR "/README.md",
                         "/etc/passwd",
                         "/etc/hostname",
                         "/proc/self/environ",
                         "/root/.bash_history",
                         "/home"};
  for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; ++i) {
    int fd = open(paths[i], O_RDONLY);
    if (fd >= 0) {
      close(fd);
      fprintf(stderr, "hostile: opened %s\n", paths[i]);
      return test_default_create(args, out); /* the sandbox failed: OK gives it away */
    }
    if (i == 0) snprintf(hostile_error, sizeof hostile_error, "open %s: %s", paths[i], strerror(errno));
  }
  return GAUNTLET_ERROR;
}
