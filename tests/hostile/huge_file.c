/* expected verdict: MEMORY_LIMIT; reason: "file-size limit". Writes a 1 GiB file into its
 * working directory (the private /tmp, which is memory), after a sparse seek to 4 GiB failed:
 * RLIMIT_FSIZE (64 MiB here) stops it with SIGXFSZ. Anywhere else is read-only or absent. */
#include <fcntl.h>
#include <gauntlet/plugin_api.h>
static gauntlet_status writing_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE writing_create
#include "hostile.h"
static gauntlet_status writing_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  static char block[1 << 20];
  int fd = open("big.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) HOSTILE_FAIL("open big.bin: %s", strerror(errno));
  memset(block, 'y', sizeof block);
  for (int i = 0; i < 1024; ++i)
    if (write(fd, block, sizeof block) < 0) HOSTILE_FAIL("write: %s", strerror(errno));
  close(fd);
  return test_default_create(args, out);
}
