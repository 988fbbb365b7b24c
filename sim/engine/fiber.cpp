#include "sim/engine/fiber.hpp"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define HWSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HWSIM_ASAN 1
#endif
#endif
#if defined(HWSIM_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__x86_64__)
// hwsim_fiber_switch(void** save_sp, void* new_sp): pushes the callee-saved
// registers (System V ABI: rbp, rbx, r12-r15, and the MXCSR and x87 control
// words) on the running stack, stores the stack pointer, loads the other and
// pops its registers. A new fiber's stack is laid out so that this "returns"
// into hwsim_fiber_start with the entry in r12 and its argument in r13.
asm(R"(
  .text
  .globl hwsim_fiber_switch
  .type hwsim_fiber_switch, @function
hwsim_fiber_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size hwsim_fiber_switch, .-hwsim_fiber_switch

  .globl hwsim_fiber_start
  .type hwsim_fiber_start, @function
hwsim_fiber_start:
  movq %r13, %rdi
  callq *%r12
  ud2
  .size hwsim_fiber_start, .-hwsim_fiber_start
  .section .note.GNU-stack,"",@progbits
  .text
)");
extern "C" void hwsim_fiber_switch(void** save_sp, void* new_sp);
extern "C" void hwsim_fiber_start();
#endif

namespace hwsim::sim {

namespace {
std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }
}  // namespace

FiberStack::FiberStack(std::size_t usable_bytes) : guard_(page_size()) {
  usable_ = (usable_bytes + guard_ - 1) / guard_ * guard_;
  void* p = ::mmap(nullptr, usable_ + guard_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  base_ = static_cast<std::byte*>(p);
  ::mprotect(base_, guard_, PROT_NONE);  // stacks grow down into the guard page
}

FiberStack::~FiberStack() { ::munmap(base_, usable_ + guard_); }

std::unique_ptr<FiberStack> StackPool::take(std::size_t usable_bytes) {
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if ((*it)->size() >= usable_bytes) {
      std::unique_ptr<FiberStack> s = std::move(*it);
      *it = std::move(free_.back());
      free_.pop_back();
      return s;
    }
  }
  return std::make_unique<FiberStack>(usable_bytes);
}

void StackPool::give_back(std::unique_ptr<FiberStack> stack) {
#if defined(HWSIM_ASAN)
  // A fiber that ended left its frames' redzones poisoned in the shadow (no
  // unwinding cleared them); the next fiber on this stack must start clean,
  // or AddressSanitizer reports its own frames as stack-buffer-underflows.
  __asan_unpoison_memory_region(stack->bottom(), stack->size());
#endif
  free_.push_back(std::move(stack));
}

#if defined(__x86_64__)
Fiber::Fiber(const FiberStack& stack, Entry entry, void* arg)
    : stack_bottom_(stack.bottom()), stack_size_(stack.size()) {
  // Top of stack, 16-byte aligned; hwsim_fiber_switch pops 8 words (control
  // words, r15, r14, r13, r12, rbx, rbp, return address) of the 10 laid out, after which the
  // stack pointer is 16-byte aligned again, as a call instruction expects.
  auto top = reinterpret_cast<std::uintptr_t>(stack.bottom() + stack.size()) & ~std::uintptr_t{15};
  auto* words = reinterpret_cast<std::uint64_t*>(top) - 10;
  std::memset(words, 0, 10 * sizeof(std::uint64_t));
  words[0] = 0x1F80 | (std::uint64_t{0x037F} << 32);  // MXCSR and x87 control word at their defaults
  words[3] = reinterpret_cast<std::uint64_t>(arg);    // r13
  words[4] = reinterpret_cast<std::uint64_t>(entry);  // r12
  words[7] = reinterpret_cast<std::uint64_t>(&hwsim_fiber_start);
  sp_ = words;
}

void Fiber::switch_to(Fiber& from, Fiber& to) {
  sanitizer_enter(from, to, false);
  hwsim_fiber_switch(&from.sp_, to.sp_);
  sanitizer_entered(from);
}

void Fiber::leave_for(Fiber& from, Fiber& to) {
  sanitizer_enter(from, to, true);
  hwsim_fiber_switch(&from.sp_, to.sp_);
}
#else
Fiber::Fiber(const FiberStack& stack, Entry entry, void* arg)
    : stack_bottom_(stack.bottom()), stack_size_(stack.size()) {
  ::getcontext(&ctx_);
  ctx_.uc_stack.ss_sp = stack.bottom();
  ctx_.uc_stack.ss_size = stack.size();
  ctx_.uc_link = nullptr;
  // makecontext passes int arguments; split the pointer in two halves.
  const auto a = reinterpret_cast<std::uintptr_t>(arg);
  const auto e = reinterpret_cast<std::uintptr_t>(entry);
  ::makecontext(&ctx_, reinterpret_cast<void (*)()>(+[](unsigned e_hi, unsigned e_lo, unsigned a_hi, unsigned a_lo) {
    const auto entry_fn = reinterpret_cast<Entry>((std::uintptr_t{e_hi} << 32) | e_lo);
    entry_fn(reinterpret_cast<void*>((std::uintptr_t{a_hi} << 32) | a_lo));
  }),
                4, static_cast<unsigned>(e >> 32), static_cast<unsigned>(e), static_cast<unsigned>(a >> 32),
                static_cast<unsigned>(a));
}

void Fiber::switch_to(Fiber& from, Fiber& to) {
  sanitizer_enter(from, to, false);
  ::swapcontext(&from.ctx_, &to.ctx_);
  sanitizer_entered(from);
}

void Fiber::leave_for(Fiber& from, Fiber& to) {
  sanitizer_enter(from, to, true);
  ::swapcontext(&from.ctx_, &to.ctx_);
}
#endif

#if defined(HWSIM_ASAN)
// AddressSanitizer keeps shadow state per stack; it must be told of every
// switch, or it reports the other stack's frames as overflows.
void Fiber::sanitizer_enter(Fiber& from, const Fiber& to, bool from_ends) {
  if (from.stack_bottom_ == nullptr) {  // the OS thread's stack: ask the thread library where it lies
    pthread_attr_t attr;
    if (::pthread_getattr_np(::pthread_self(), &attr) == 0) {
      void* addr = nullptr;
      std::size_t size = 0;
      ::pthread_attr_getstack(&attr, &addr, &size);
      from.stack_bottom_ = addr;
      from.stack_size_ = size;
      ::pthread_attr_destroy(&attr);
    }
  }
  __sanitizer_start_switch_fiber(from_ends ? nullptr : &from.fake_stack_, to.stack_bottom_, to.stack_size_);
}

void Fiber::begin(Fiber& self) { sanitizer_entered(self); }

void Fiber::sanitizer_entered(Fiber& self) { __sanitizer_finish_switch_fiber(self.fake_stack_, nullptr, nullptr); }
#else
void Fiber::sanitizer_enter(Fiber&, const Fiber&, bool) {}
void Fiber::sanitizer_entered(Fiber&) {}
void Fiber::begin(Fiber&) {}
#endif

}  // namespace hwsim::sim
