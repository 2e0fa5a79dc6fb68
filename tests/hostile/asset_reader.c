/* expected verdict: OK. A well-behaved plugin with assets (the judge runs this suite with
 * --assets tests/hostile/assets): it reads its weights from asset_dir after loading, writes a
 * scratch file in its working directory, and cannot read the folder it was loaded from, which
 * the sandbox mounts at a fixed path whatever the host's layout. */
#include <fcntl.h>
#include <gauntlet/plugin_api.h>
static gauntlet_status asset_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE asset_create
#include "hostile.h"
static gauntlet_status asset_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  if (!args->asset_dir) HOSTILE_FAIL("no asset_dir given");
  char path[4096];
  snprintf(path, sizeof path, "%s/weights.txt", args->asset_dir);
  int fd = open(path, O_RDONLY);
  if (fd < 0) HOSTILE_FAIL("open %.300s: %s", path, strerror(errno));
  char buf[64];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  if (n < 7 || memcmp(buf, "weights", 7) != 0) HOSTILE_FAIL("unexpected asset content");
  fd = open("scratch.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || write(fd, buf, (size_t)n) != n) HOSTILE_FAIL("scratch file: %s", strerror(errno));
  close(fd);
  if (open(HOSTILE_PLUGIN_DIR, O_RDONLY | O_DIRECTORY) >= 0)
    HOSTILE_FAIL("could list %s", HOSTILE_PLUGIN_DIR);
  /* Nor the folder the sandbox mounted it in (wherever the host keeps it, even under /tmp). */
  if (open("/gauntlet/plugin", O_RDONLY | O_DIRECTORY) >= 0) HOSTILE_FAIL("could list /gauntlet/plugin");
  if (strcmp(args->asset_dir, "/gauntlet/assets") != 0)
    HOSTILE_FAIL("asset_dir is %.300s, not the sandbox's /gauntlet/assets", args->asset_dir);
  return test_default_create(args, out);
}
