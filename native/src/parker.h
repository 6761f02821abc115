// Parker: how one OS thread waits for its turn to run JavaScript.
//
// Every thread that can hold the isolate (the JS thread itself and each fiber
// thread) owns one Parker. A switch is "unlock the isolate, Unpark() the
// target, Park() myself".
//
// Measured on a 2-vCPU VM: if both threads spin, a round trip costs ~4 us; if
// both sleep on a futex, ~8-10 us, because the kernel hands the waker's CPU
// straight to the wakee; mixing the two is the worst case (20-70 us): a
// sleeper woken while its partner spins must wait for another CPU, often an
// idle one in a deep sleep state. So a parking thread spins only when the
// partner it just woke was itself awake (spinning), and otherwise sleeps at
// once, with a probe spin every kProbeEvery parks to get back into spinning
// mode. A failed spin halves the budget (down to kMinSpinNs when the partner
// was awake, else zero: probe only); a successful one restores it; it never
// exceeds kMaxSpinNs per switch.
//
// When cores are oversubscribed a spinner steals the core its partner needs.
// A spinner that finds it was descheduled mid-spin (a gap in the clock) turns
// spinning off in the whole process for kQuietNs: all threads sleep at once,
// which is the fast mode when they share CPUs with other work. (Turning it
// off for one thread only would leave its partner spinning: the worst mix.)
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <thread>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <condition_variable>
#include <mutex>
#endif

namespace fiberlet {

class Parker {
 public:
  static constexpr int64_t kMaxSpinNs = 50'000;
  static constexpr int64_t kMinSpinNs = 4'000;
  static constexpr uint32_t kProbeEvery = 64;
  // Descheduled while spinning: a clock gap this long. Then no thread of the
  // process spins for kQuietNs.
  static constexpr int64_t kPreemptedGapNs = 20'000;
  static constexpr int64_t kQuietNs = 100'000'000;

  Parker() = default;
  Parker(const Parker&) = delete;
  Parker& operator=(const Parker&) = delete;

  // Wakes the owner (now, or makes its next Park() return at once). Any
  // thread. Returns whether the owner was awake (spinning or running).
  bool Unpark() noexcept {
    if (state_.exchange(kNotified, std::memory_order_release) != kSleeping) return true;
    WakeOwner();
    return false;
  }

  // Blocks the owning thread until Unpark(). Only the owner calls this.
  // `partner_awake`: what Unpark() said about the thread we just woke.
  void Park(bool partner_awake) noexcept {
    counters_.parks++;
    int64_t budget = 0;
    if (max_spin_ns_ > 0 && NowNs() >= quiet_until_ns_.load(std::memory_order_relaxed)) {
      if (partner_awake) {
        budget = std::max(spin_ns_, kMinSpinNs);
      } else if (++parks_since_spin_ % kProbeEvery == 0) {
        budget = max_spin_ns_;  // probe
      }
    }
    if (budget > 0) {
      parks_since_spin_ = 0;
      counters_.spins++;
      bool caught = SpinUntilNotified(budget);
      if (caught) counters_.caught++;
      spin_ns_ = caught ? max_spin_ns_ : (budget / 2 >= kMinSpinNs ? budget / 2 : 0);
      if (caught) return;
    }
    uint32_t expected = kEmpty;
    if (state_.compare_exchange_strong(expected, kSleeping, std::memory_order_acquire)) {
      Sleep();
    }
    state_.store(kEmpty, std::memory_order_relaxed);
  }

  int64_t spin_budget_ns() const noexcept { return spin_ns_; }

  // Owner-thread statistics, for tests and benchmarks.
  struct Counters {
    uint64_t parks = 0, spins = 0, caught = 0, preempted = 0;
  };
  const Counters& counters() const noexcept { return counters_; }

 private:
  enum : uint32_t { kEmpty = 0, kNotified = 1, kSleeping = 2 };

  // Spins until notified (true) or the budget runs out (false). A gap in the
  // clock between two checks means this thread was descheduled while
  // spinning: another runnable thread wanted the CPU, so spinning now only
  // delays our partner. Stop spinning for a while.
  bool SpinUntilNotified(int64_t budget_ns) noexcept {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto last = start;
    for (;;) {
      for (int i = 0; i < 16; i++) {
        if (state_.load(std::memory_order_acquire) == kNotified) {
          state_.store(kEmpty, std::memory_order_relaxed);
          return true;
        }
        CpuRelax();
      }
      const auto now = Clock::now();
      if (now - last > std::chrono::nanoseconds(kPreemptedGapNs)) {
        counters_.preempted++;
        quiet_until_ns_.store(NowNs() + kQuietNs, std::memory_order_relaxed);
        return false;
      }
      last = now;
      if (now - start >= std::chrono::nanoseconds(budget_ns)) return false;
    }
  }

  static int64_t NowNs() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  static void CpuRelax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
  }

#if defined(__linux__)
  void Sleep() noexcept {
    while (state_.load(std::memory_order_acquire) == kSleeping) {
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAIT_PRIVATE, kSleeping,
              nullptr, nullptr, 0);
    }
  }
  void WakeOwner() noexcept {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr,
            nullptr, 0);
  }
#else
  void Sleep() noexcept {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return state_.load(std::memory_order_acquire) != kSleeping; });
  }
  void WakeOwner() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    cv_.notify_one();
  }
  std::mutex mutex_;
  std::condition_variable cv_;
#endif

  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t), "futex word");
  std::atomic<uint32_t> state_{kEmpty};
  // Owner-thread-only adaptive state.
  // Environment knob FIBERLET_SPIN_NS (0 disables spinning; read once). One
  // CPU: never spin.
  static int64_t MaxSpinFromEnv() {
    if (std::thread::hardware_concurrency() == 1) return 0;
    const char* env = std::getenv("FIBERLET_SPIN_NS");
    if (env == nullptr || *env == 0) return kMaxSpinNs;
    return std::clamp<int64_t>(std::atoll(env), 0, 1'000'000);
  }
  static inline const int64_t max_spin_ns_ = MaxSpinFromEnv();
  int64_t spin_ns_ = max_spin_ns_;
  uint32_t parks_since_spin_ = 0;
  Counters counters_;
  static inline std::atomic<int64_t> quiet_until_ns_{0};
};

}  // namespace fiberlet
