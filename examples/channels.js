"use fiber";
// A cooperative scheduler with channels, in the style of Go: many fibers,
// each written as a plain sequential function, that block on `send` and
// `receive` by switching back to the scheduler, which resumes whichever
// fiber can go on. No callbacks, promises or generators anywhere; any
// function, however deep, can block on a channel. Runs in any engine once
// compiled with the plugin (no Node APIs).
import { Fiber, current } from "fiberlet";

/** Runs fibers one at a time, first come first served, until none can run. */
export class Scheduler {
  constructor() {
    // The fiber that calls run(): every task switches back here when it
    // blocks, and ends here (it is every task's parent).
    this.loop = current();
    this.ready = []; // { fiber, value }: who runs next, and what its pending switch returns
    this.blocked = 0;
  }

  /** Starts `fn(...args)` as a new task (it first runs inside run()). */
  go(fn, ...args) {
    const fiber = new Fiber({ target: fn, args, parent: this.loop });
    this.ready.push({ fiber, value: undefined });
  }

  /** Runs tasks until every one has ended; throws if some are still blocked
   * then (a deadlock: each waits on a channel nobody will use). */
  run() {
    while (this.ready.length > 0) {
      const { fiber, value } = this.ready.shift();
      // Returns when the task blocks (park) or ends.
      fiber.switch(value);
    }
    if (this.blocked > 0) throw new Error(`deadlock: ${this.blocked} fiber(s) blocked on channels forever`);
  }

  /** Blocks the running task; returns the value its wake() brings. */
  park() {
    this.blocked++;
    return this.loop.switch();
  }

  /** Makes a parked task runnable again; its park() returns `value`. */
  wake(fiber, value) {
    this.blocked--;
    this.ready.push({ fiber, value });
  }
}

/** What receive() returns from a channel that is closed and drained. */
export const CLOSED = Symbol("closed");

/**
 * A channel with room for `capacity` values (0: every send waits for a
 * receiver, a rendezvous). Iterable: `for (const v of channel)` receives
 * until the channel is closed.
 */
export class Channel {
  constructor(scheduler, capacity = 0) {
    this.scheduler = scheduler;
    this.capacity = capacity;
    this.buffer = [];
    this.senders = []; // { fiber, value }: blocked in send()
    this.receivers = []; // fibers blocked in receive()
    this.closed = false;
  }

  send(value) {
    if (this.closed) throw new Error("send on a closed channel");
    const receiver = this.receivers.shift();
    if (receiver !== undefined) {
      this.scheduler.wake(receiver, value); // hand it over directly
    } else if (this.buffer.length < this.capacity) {
      this.buffer.push(value);
    } else {
      this.senders.push({ fiber: current(), value });
      this.scheduler.park(); // until a receiver takes the value
    }
  }

  receive() {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift();
      // A blocked sender's value moves into the freed slot.
      const sender = this.senders.shift();
      if (sender !== undefined) {
        this.buffer.push(sender.value);
        this.scheduler.wake(sender.fiber);
      }
      return value;
    }
    const sender = this.senders.shift();
    if (sender !== undefined) {
      this.scheduler.wake(sender.fiber);
      return sender.value;
    }
    if (this.closed) return CLOSED;
    this.receivers.push(current());
    return this.scheduler.park();
  }

  /** No more sends; receivers get what is buffered, then CLOSED. */
  close() {
    this.closed = true;
    for (const receiver of this.receivers.splice(0)) this.scheduler.wake(receiver, CLOSED);
  }

  [Symbol.iterator]() {
    return {
      next: () => {
        const value = this.receive();
        return value === CLOSED ? { value: undefined, done: true } : { value, done: false };
      },
    };
  }
}

// The concurrent prime sieve (from Go's documentation): a generator task
// sends 2, 3, 4, ... and each prime found adds a filter task to the chain
// that drops its multiples.
function generate(scheduler, limit, out) {
  for (let n = 2; n <= limit; n++) out.send(n);
  out.close();
}

function filter(input, out, prime) {
  for (const n of input) if (n % prime !== 0) out.send(n);
  out.close();
}

export function primesUpTo(limit) {
  const scheduler = new Scheduler();
  const primes = [];
  scheduler.go(() => {
    let input = new Channel(scheduler);
    scheduler.go(generate, scheduler, limit, input);
    for (let prime = input.receive(); prime !== CLOSED; prime = input.receive()) {
      primes.push(prime);
      const out = new Channel(scheduler);
      scheduler.go(filter, input, out, prime);
      input = out;
    }
  });
  scheduler.run();
  return primes;
}

// Ping-pong over two rendezvous channels: the log shows each send meeting
// its receive, strictly alternating, though neither task knows the other.
export function pingPong(rounds) {
  const scheduler = new Scheduler();
  const log = [];
  const ping = new Channel(scheduler);
  const pong = new Channel(scheduler);
  scheduler.go(() => {
    for (let i = 1; i <= rounds; i++) {
      ping.send(i);
      log.push(`ping ${i} -> got ${pong.receive()}`);
    }
    ping.close();
  });
  scheduler.go(() => {
    for (const n of ping) pong.send(n * 10);
  });
  scheduler.run();
  return log;
}

// Fan-in: a feeder puts jobs on a buffered channel, three workers take them
// and send results (blocking in a helper two calls deep) to one rendezvous
// channel, and a collector takes every result. Each blocks in turn, so the
// workers share the jobs.
function square(n) {
  return n * n;
}

function report(results, name, n) {
  results.send(`${name}:${square(n)}`);
}

function work(jobs, results, name) {
  for (const n of jobs) report(results, name, n);
}

export function fanIn(count) {
  const scheduler = new Scheduler();
  const jobs = new Channel(scheduler, 2);
  const results = new Channel(scheduler);
  const collected = [];
  scheduler.go(() => {
    for (let n = 1; n <= count; n++) jobs.send(n);
    jobs.close();
  });
  for (const name of ["a", "b", "c"]) scheduler.go(work, jobs, results, name);
  scheduler.go(() => {
    for (let i = 0; i < count; i++) collected.push(results.receive());
  });
  scheduler.run();
  return collected;
}

/** A deadlock is reported, not hung: a receive nobody will ever answer. */
export function deadlock() {
  const scheduler = new Scheduler();
  const never = new Channel(scheduler);
  scheduler.go(() => never.receive());
  try {
    scheduler.run();
    return "no deadlock";
  } catch (e) {
    return e.message;
  }
}

export function main() {
  return { primes: primesUpTo(50), pingPong: pingPong(3), fanIn: fanIn(6), deadlock: deadlock() };
}
