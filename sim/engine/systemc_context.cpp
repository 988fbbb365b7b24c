#include "sim/engine/systemc_context.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <systemc>

// libsystemc's own main() calls sc_main; hwsim brings its own main() and never
// enters SystemC that way, but the symbol must exist for the link.
int sc_main(int, char**) { return 1; }

namespace hwsim::sim {

void init_systemc() {
  static bool done = false;
  if (done) return;
  done = true;
  std::fflush(stdout);
  const int saved = ::dup(1);
  const int null_fd = ::open("/dev/null", O_WRONLY);
  if (saved >= 0 && null_fd >= 0) ::dup2(null_fd, 1);
  sc_core::sc_get_curr_simcontext();
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  const sc_core::sc_time first(1, sc_core::SC_PS);  // prints the banner on first use
  (void)first;
  std::fflush(stdout);
  if (saved >= 0) {
    ::dup2(saved, 1);
    ::close(saved);
  }
  if (null_fd >= 0) ::close(null_fd);
}

// The context's clock read inline: sc_time_stamp() is the same read behind a
// call into the shared library, and now() is called for nearly every op.
Tick now() { return static_cast<Tick>(sc_core::sc_get_curr_simcontext()->time_stamp().value()); }

void wait_until(Tick t) {
  const Tick n = now();
  if (t > n) sc_core::wait(sc_core::sc_time::from_value(static_cast<sc_dt::uint64>(t - n)));
}

void run_until_idle() { sc_core::sc_start(); }

}  // namespace hwsim::sim
