#pragma once
// The SystemC boundary of hwsim. SystemC's simulation context is global and is
// elaborated once per process (docs/engine.md, "SystemC and the life cycle");
// everything else in hwsim passes context explicitly. These functions are the
// only code that touches it.
#include "sim/engine/time.hpp"

namespace hwsim::sim {

// Creates the SystemC context with a 1 ps resolution, keeping its copyright
// banner off stdout (Debian's 2.3.4 prints it unconditionally; stdout is
// pointed at /dev/null while the context is created). Idempotent.
void init_systemc();

Tick now();               // current simulated tick
void wait_until(Tick t);  // inside a SystemC thread: suspend until tick t (no-op if t <= now)
void run_until_idle();    // sc_start() until no events remain

}  // namespace hwsim::sim
