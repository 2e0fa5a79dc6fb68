// One infer() call, made the same way for warm-ups, timed calls and the evaluation pass:
// outputs marked as unwritten, the staged inputs written inside the timed window, a fresh
// nonce, the outputs copied and checked the moment the answer is accepted, and (for timed
// calls) the run-queue waits of the judge's and the job's threads around it.
#pragma once

#include "judge/interference.hpp"
#include "judge/output_slots.hpp"
#include "judge/presentation.hpp"
#include "judge/secret_stream.hpp"
#include "judge/worker_client.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace gauntlet::judge {

struct CallReport {
  WorkerClient::Answer answer;
  std::optional<std::string> output_fault;  // BAD_OUTPUT's reason, when the answer was OK
  uint64_t run_delay_ns = 0;                // waits inside the call's window (timed calls)
  [[nodiscard]] bool ok() const { return answer.kind == CallOutcome::Kind::ok && !output_fault; }
};

struct CallSite {
  WorkerClient& client;
  Presentation& presentation;
  OutputSlots& outputs;
  SecretStream& secret;
  RunDelayWatch& watch;

  // `batch` samples, of which the first `real` are staged data (the rest is padding, not
  // checked). `what` names the call in reasons.
  CallReport call(int64_t batch, int64_t real, Clock::time_point deadline, const std::string& what,
                  bool timed);
};

}  // namespace gauntlet::judge
