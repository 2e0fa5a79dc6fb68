/* expected verdict: SECURITY_VIOLATION; reason: "socket()". Connects to 127.0.0.1:22 to send
 * data out. */
#include <arpa/inet.h>
#include <gauntlet/plugin_api.h>
#include <netinet/in.h>
#include <sys/socket.h>
static gauntlet_status calling_create(const gauntlet_create_args* args, gauntlet_instance** out);
#define TEST_CREATE calling_create
#include "hostile.h"
static gauntlet_status calling_create(const gauntlet_create_args* args, gauntlet_instance** out) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) HOSTILE_FAIL("socket: %s", strerror(errno));
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons(22);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, (struct sockaddr*)&to, sizeof to) != 0) HOSTILE_FAIL("connect: %s", strerror(errno));
  return test_default_create(args, out);
}
