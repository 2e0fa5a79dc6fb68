/* expected verdict: CRASH; reason: "broke the protocol". Answers before the judge asks. In its
 * first infer() it finds the shared control page in its own address space (by the page's magic,
 * scanning up from its output tensor, where the worker mapped the regions one after another),
 * takes over the serving loop, answers the current request itself, and then posts the answer
 * to the next request before that request exists, the way a plugin that could predict the next
 * call's samples would. The judge accepts an answer only for a request it has posted, carrying
 * that request's nonce: the early answer is a broken protocol, never a latency. */
#include <gauntlet/plugin_api.h>

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>

#include "ipc/control_page.hpp"

static gauntlet_status early_infer(gauntlet_instance* instance, const gauntlet_infer_args* args);
#define TEST_INFER early_infer
#include "hostile.h"

namespace {

using gauntlet::ipc::ControlPage;

// Whether [p, p + 4) is readable: write() reports EFAULT instead of faulting.
bool readable(const void* p) {
  static int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  return null_fd >= 0 && ::write(null_fd, p, 4) == 4;
}

ControlPage* find_control_page(const void* near) {
  const uintptr_t page = 4096;
  uintptr_t at = reinterpret_cast<uintptr_t>(near) & ~(page - 1);
  for (int i = 0; i < 65536; ++i, at += page) {
    const auto* p = reinterpret_cast<const uint32_t*>(at);
    if (readable(p) && *p == gauntlet::ipc::kControlMagic) return reinterpret_cast<ControlPage*>(at);
  }
  return nullptr;
}

void post(gauntlet::ipc::SeqWord& word, uint32_t value) {
  word.seq.store(value, std::memory_order_seq_cst);
  if (word.sleepers.load(std::memory_order_seq_cst) != 0)
    ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word.seq), FUTEX_WAKE, 1 << 30, nullptr, nullptr, 0);
}

}  // namespace

static gauntlet_status early_infer(gauntlet_instance* instance, const gauntlet_infer_args* args) {
  ControlPage* page = find_control_page(args->outputs[0].data);
  if (!page) HOSTILE_FAIL("could not find the control page");
  test_default_infer(instance, args);
  // Answer this request as the worker would, then the next one before it is posted.
  const uint32_t current = page->request.seq.load();
  page->status = 0;
  page->message_bytes = 0;
  page->nonce_echo = page->nonce;
  post(page->response, current);
  post(page->response, current + 1);
  // Serve nothing else: the judge must notice by itself.
  for (;;) ::pause();
}
