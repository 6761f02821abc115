// Runs one measurement in a fresh process, so JIT state, inline caches and
// heap layout never leak from one peer or sample into the next.
//
// Protocol: the child prints exactly one JSON line on stdout as its last
// line, either {"ok":true,...} or {"ok":false,"error":"..."} (plus
// "skip":true when the peer is simply not installed). Anything else the
// child prints is ignored; a crash, a signal or a timeout becomes an error.
import { spawn } from "node:child_process";

export function runChild(command, args, { timeoutMs, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs ?? 600_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `cannot start ${command}: ${err.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, error: `timed out after ${Math.round(timeoutMs / 1000)} s` });
      const report = lastJsonLine(stdout);
      if (report) return resolve(report);
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve({ ok: false, error: `${why}: ${firstErrorLine(stderr) || "no output"}` });
    });
  });
}

function lastJsonLine(text) {
  const lines = text.trim().split("\n");
  try {
    const parsed = JSON.parse(lines[lines.length - 1]);
    return parsed && typeof parsed.ok === "boolean" ? parsed : null;
  } catch {
    return null;
  }
}

// The most telling line of a crash report: the thrown error's message,
// not the stack or Node's "node:internal" preamble.
function firstErrorLine(stderr) {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(\w*Error|FATAL|Traceback|<--- Last few GCs)/.test(l)) ?? lines[0] ?? "";
}
