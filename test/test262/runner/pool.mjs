/**
 * A few child processes running scenarios (child.mjs). A test that crashes
 * its process (a V8 CHECK, a runaway allocation) or hangs in a way the vm
 * timeout cannot stop (an endless promise-job loop) fails only the run in
 * flight: the process is replaced and the scenario goes on with the next run.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { nextMode } from "./execute.mjs";

const CHILD = fileURLToPath(new URL("./child.mjs", import.meta.url));
/** A run that reports nothing for this long is killed. The vm timeout in
 * the child bounds the test's own code (10 s), but compiling alone took up
 * to 45 s for some generated class tests on a loaded machine (the plugin is
 * slow on them): a tighter limit made such runs flaky "hangs". */
const WATCHDOG_MS = 180_000;
/** Fresh processes now and then: contexts, timers and promise jobs that
 * tests leave behind accumulate. */
const SCENARIOS_PER_CHILD = 1500;

/**
 * Runs every scenario; `onResult({ path, scenario, mode, result })` is called
 * for each run. Resolves when all are done.
 */
export function runPool(root, scenarios, { jobs, onResult }) {
  const queue = scenarios.map((s) => ({ ...s, from: "plain" }));
  let running = 0;
  return new Promise((resolve, reject) => {
    const startWorker = () => {
      if (queue.length === 0) {
        if (running === 0) resolve();
        return;
      }
      running++;
      new Worker(root, queue, onResult, () => {
        running--;
        startWorker();
      }, reject);
    };
    for (let i = 0; i < Math.max(1, jobs); i++) startWorker();
  });
}

/** One child process taking scenarios from the shared queue until it is
 * empty, its quota is used up, or it dies; `retire` then replaces it. */
class Worker {
  constructor(root, queue, onResult, retire, fail) {
    this.queue = queue;
    this.onResult = onResult;
    this.retire = retire;
    this.fail = fail;
    this.served = 0;
    this.child = fork(CHILD, [root], {
      execArgv: ["--experimental-vm-modules", "--no-warnings", "--expose-gc"],
      env: { ...process.env, FIBERLET_BACKEND: "continuation" },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.stderr = "";
    this.child.stderr.on("data", (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.child.on("message", (m) => this.message(m));
    this.child.on("exit", (code, signal) => this.died(signal ? `signal ${signal}` : `exit code ${code}`));
    this.next();
  }

  next() {
    this.current = this.served < SCENARIOS_PER_CHILD ? this.queue.shift() : undefined;
    if (!this.current) {
      this.stop();
      return;
    }
    this.served++;
    this.mode = this.current.from;
    this.arm();
    const { path, scenario, from } = this.current;
    this.child.send({ path, scenario, from });
  }

  message(m) {
    if (m.done) {
      clearTimeout(this.timer);
      this.next();
      return;
    }
    const { path, scenario } = this.current;
    this.onResult({ path, scenario, mode: m.mode, result: m.result });
    this.mode = nextMode(scenario, m.mode, m.result);
    this.arm();
  }

  arm() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.hung = true;
      this.child.kill("SIGKILL");
    }, WATCHDOG_MS);
  }

  died(how) {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.stopped = true;
    const s = this.current;
    if (s && this.mode) {
      const stage = this.hung ? "hang" : "crash";
      const detail = this.hung ? `no progress for ${WATCHDOG_MS} ms` : `process died (${how}): ${lastLines(this.stderr)}`;
      const result = { pass: false, stage, error: detail };
      this.onResult({ path: s.path, scenario: s.scenario, mode: this.mode, result });
      const rest = nextMode(s.scenario, this.mode, result);
      if (rest) this.queue.unshift({ ...s, from: rest });
    } else if (!s) {
      this.fail(new Error(`test262 worker died between tests (${how}): ${lastLines(this.stderr)}`));
    }
    this.retire();
  }

  stop() {
    this.stopped = true;
    this.child.kill();
    this.retire();
  }
}

function lastLines(text) {
  return text.trim().split("\n").filter((l) => !/^\s*\d+: 0x/.test(l)).slice(-6).join(" | ");
}
