// Parker: how one OS thread waits for its turn to run JavaScript.
//
// Every thread that can hold the isolate (the JS thread itself and each fiber
// thread) owns one Parker. A switch is "unlock the isolate, Unpark() the
// target, Park() myself".
//
// Measured on a 2-vCPU VM: if both threads spin, a round trip costs ~3.5 us.
// Sleeping on a futex costs ~8 us per round trip when other work keeps the
// CPUs busy (the wakee runs on the waker's CPU) but ~25 us on an idle machine,
// where each wake-up has to rouse an idle vCPU. So a parking thread spins
// first, for up to its budget: a spin that catches the wake-up restores the
// budget to kMaxSpinNs, one that times out halves it (to zero below
// kMinSpinNs; then only a probe spin every kProbeEvery parks). Threads that
// wait long for their partner thus stop wasting CPU, and a pair that
// ping-pongs settles into both spinning on their own CPUs.
//
// When the CPUs are oversubscribed, a spinner steals the CPU its partner
// needs. A spinner that finds it was descheduled mid-spin (a gap in the
// clock) records it; when kPreemptedPerWindow of the last kWindowSpins spins
// in the process were descheduled, no thread spins for kQuietNs: all sleep,
// which is the fast mode when the CPUs are shared with other work. (One such
// gap alone is noise: an interrupt, the hypervisor, the partner's wake-up.)
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
  static constexpr int64_t kMinSpinNs = 2'000;
  static constexpr uint32_t kProbeEvery = 64;
  static constexpr int64_t kPreemptedGapNs = 20'000;
  static constexpr uint32_t kWindowSpins = 64;
  static constexpr uint32_t kPreemptedPerWindow = 4;
  static constexpr int64_t kQuietNs = 100'000'000;

  Parker() = default;
  Parker(const Parker&) = delete;
  Parker& operator=(const Parker&) = delete;

  // Wakes the owner (now, or makes its next Park() return at once). Any
  // thread.
  void Unpark() noexcept {
    if (state_.exchange(kNotified, std::memory_order_release) == kSleeping) WakeOwner();
  }

  // Blocks the owning thread until Unpark(). Only the owner calls this.
  void Park() noexcept {
    counters_.parks++;
    int64_t budget = 0;
    if (max_spin_ns_ > 0 && NowNs() >= quiet_until_ns_.load(std::memory_order_relaxed)) {
      if (spin_ns_ > 0) {
        budget = spin_ns_;
      } else if (++parks_since_spin_ % kProbeEvery == 0) {
        budget = max_spin_ns_;  // probe
      }
    }
    if (budget > 0) {
      counters_.spins++;
      parks_since_spin_ = 0;
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

  // Spins until notified (true) or the budget runs out (false).
  bool SpinUntilNotified(int64_t budget_ns) noexcept {
    const int64_t start = NowNs();
    int64_t last = start;
    bool preempted = false;
    for (;;) {
      for (int i = 0; i < 16; i++) {
        if (state_.load(std::memory_order_acquire) == kNotified) {
          state_.store(kEmpty, std::memory_order_relaxed);
          NoteSpin(preempted);
          return true;
        }
        CpuRelax();
      }
      const int64_t now = NowNs();
      if (now - last > kPreemptedGapNs) preempted = true;
      last = now;
      if (now - start >= budget_ns) {
        NoteSpin(preempted);
        return false;
      }
    }
  }

  // Process-wide contention detector (see the top of the file).
  void NoteSpin(bool preempted) noexcept {
    if (preempted) {
      counters_.preempted++;
      window_preempted_.fetch_add(1, std::memory_order_relaxed);
    }
    if (window_spins_.fetch_add(1, std::memory_order_relaxed) + 1 < kWindowSpins) return;
    window_spins_.store(0, std::memory_order_relaxed);
    if (window_preempted_.exchange(0, std::memory_order_relaxed) >= kPreemptedPerWindow) {
      quiet_until_ns_.store(NowNs() + kQuietNs, std::memory_order_relaxed);
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
  static inline std::atomic<uint32_t> window_spins_{0};
  static inline std::atomic<uint32_t> window_preempted_{0};
};

}  // namespace fiberlet
