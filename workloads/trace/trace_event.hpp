#pragma once
// One traceEvents entry into the Trace it belongs to (trace.hpp): which
// categories are kept, which fields each needs, and the message for a field
// that is missing or of the wrong type.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "workloads/trace/trace.hpp"

namespace hwsim::trace {

// Files event number `index` of traceEvents into `t` if its category is one
// the what-if uses; throws hwsim::Error naming t.source, the index, the key
// and what was expected.
void add_event(Trace& t, const nlohmann::json& event, std::int64_t index);

// After the last event: orders the events by time and refuses a trace
// without GPU work or without input shapes (record_shapes=True).
void check_trace(Trace& t);

}  // namespace hwsim::trace
