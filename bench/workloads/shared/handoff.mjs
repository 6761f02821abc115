// The async/await peer's version of a switch: two sides that hand a value to
// each other through promises, each side awaiting the other's next value.
// One handoff costs one promise per direction plus the microtask hops, the
// price async code pays to pause in the middle of a call chain.
export class Handoff {
  constructor() {
    this.resumeWorker = null;
    this.resumeMain = null;
  }

  // Main side: starts waiting for the worker's first value.
  start(worker) {
    const first = new Promise((resolve) => (this.resumeMain = resolve));
    worker();
    return first;
  }

  // Main side: sends `value` to the worker and waits for its answer.
  send(value) {
    return new Promise((resolve) => {
      this.resumeMain = resolve;
      this.resumeWorker(value);
    });
  }

  // Worker side: answers `value` to main and waits for the next value.
  reply(value) {
    return new Promise((resolve) => {
      this.resumeWorker = resolve;
      this.resumeMain(value);
    });
  }

  // Worker side: the last answer; main's pending send resolves with it.
  finish(value) {
    this.resumeMain(value);
  }
}
