/* Helpers of the hostile test plugins (tests/hostile/): each plugin is one small attack on
 * the judge, built on tests/plugins/minimal_plugin.h, and says at the start of its opening
 * comment the verdict (and a substring of the reason) it must get. A plugin whose attack succeeds returns OK,
 * so that a hole in the sandbox shows up as a wrong verdict.
 *
 * Include this after defining the TEST_* macros, in place of minimal_plugin.h. */
#ifndef GAUNTLET_TEST_HOSTILE_H
#define GAUNTLET_TEST_HOSTILE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Text for last_error(): the test plugins set it before returning an error status. */
__attribute__((unused)) static char hostile_error[512];
#ifndef TEST_LAST_ERROR_TEXT
#define TEST_LAST_ERROR_TEXT hostile_error
#endif

#include "minimal_plugin.h"

#define HOSTILE_FAIL(...)                                       \
  do {                                                          \
    snprintf(hostile_error, sizeof hostile_error, __VA_ARGS__); \
    return GAUNTLET_ERROR;                                      \
  } while (0)

/* The judge's pid, as an attacker would look for it: the worker's command line once named it
 * (--host-pid), but the worker clears its command line and environment before any plugin code
 * runs; the parent's pid is what is left (0 or 1 inside the pid namespace). */
TEST_MAYBE_UNUSED static long hostile_host_pid(void) { return (long)getppid(); }

#endif
