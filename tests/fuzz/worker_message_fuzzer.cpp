// libFuzzer target: the judge's decoding of what a worker sends on its setup socket (the hello,
// replies, violation reports: ipc/messages.hpp). Once the plugin is loaded, every byte of it is
// the plugin's: a decoder may refuse (ProtocolError), never crash, hang or let an unbounded
// string through. The input is one packet: JSON as the socket receives it.
#include "ipc/messages.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

void bounded(const std::string& s) {
  if (s.size() > 4096) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json m = nlohmann::json::parse(data, data + size, nullptr, false);
  if (m.is_discarded()) return 0;
  (void)gauntlet::ipc::message_type(m);
  try {
    const auto h = gauntlet::ipc::decode_hello(m);
    for (const auto* s : {&h.verdict, &h.message, &h.name, &h.team, &h.version, &h.description}) bounded(*s);
  } catch (const gauntlet::ipc::ProtocolError&) {
  }
  try {
    const auto r = gauntlet::ipc::decode_reply(m);
    bounded(r.to);
    bounded(r.message);
  } catch (const gauntlet::ipc::ProtocolError&) {
  }
  try {
    (void)gauntlet::ipc::decode_violation(m);
  } catch (const gauntlet::ipc::ProtocolError&) {
  }
  return 0;
}
