"use fiber";
// Synchronous-style I/O on Node: an HTTP server that runs each request in a
// fiber of its own (spawn), so the handler is plain sequential code. Helpers
// several calls deep wait on promises with waitFor (file reads with
// fs.promises, a fetch to another service): waitFor suspends only the fiber
// of that request, and the server goes on serving the others meanwhile.
//
//   npm run build && node examples/run.mjs http-server     (compiled: stackless fibers)
//   npm run build && node examples/http-server.mjs         (as written: stackful fibers, needs the addon)
//
// The front server answers GET /summary/<file> with the line and word counts
// of a file in its directory; it reads the file, then asks a second local
// server, the word-count service, to count it (a stand-in for any remote
// API). GET /stats tells how many requests were in flight at once.
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { spawn, waitFor } from "fiberlet";

/** An error with an HTTP status, turned into that response. */
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * A node:http server whose `handle(request)` runs in a fiber per request and
 * returns `{ status, body }` (or throws an HttpError). It may wait for
 * anything with waitFor, at any depth.
 */
function fiberServer(handle) {
  return createServer((request, response) => {
    // spawn starts the fiber now; it runs until its first waitFor, and
    // the event loop resumes it when what it waits for is ready.
    spawn(() => {
      let status = 200;
      let body;
      try {
        ({ status = 200, body } = handle(request));
      } catch (e) {
        status = e instanceof HttpError ? e.status : 500;
        body = { error: e.message };
      }
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    });
  });
}

/** Listens on `port` (0: any free port) and returns the server's URL. */
function listen(server, port) {
  server.listen(port, "127.0.0.1");
  waitFor(once(server, "listening"));
  return `http://127.0.0.1:${server.address().port}`;
}

// The word-count service: POST text, get { lines, words } back, after a
// delay that stands for a slow remote service.
function counterService(delayMs) {
  return fiberServer((request) => {
    const body = waitFor(text(request));
    waitFor(sleep(delayMs));
    return { body: { lines: body.split("\n").length, words: body.split(/\s+/).filter(Boolean).length } };
  });
}

// The front server, with the helpers its handler calls. Each is written as
// if reading a file and calling a service were ordinary function calls.

function readTextFile(dir, name) {
  if (!/^[\w-][\w.-]*$/.test(name)) throw new HttpError(400, `not a file name: ${name}`);
  try {
    return waitFor(readFile(join(dir, name), "utf8"));
  } catch (e) {
    if (e.code === "ENOENT") throw new HttpError(404, `no such file: ${name}`);
    throw e;
  }
}

function postJson(url, payload) {
  const response = waitFor(fetch(url, { method: "POST", body: payload }));
  if (!response.ok) throw new HttpError(502, `${url} answered ${response.status}`);
  return waitFor(response.json());
}

function summarize(dir, counterUrl, name) {
  const content = readTextFile(dir, name);
  const { lines, words } = postJson(counterUrl, content);
  return { file: name, lines, words };
}

function frontServer(dir, counterUrl) {
  const stats = { served: 0, inFlight: 0, maxInFlight: 0 };
  return fiberServer((request) => {
    const path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    if (path === "/stats") return { body: { served: stats.served, maxInFlight: stats.maxInFlight } };
    if (!path.startsWith("/summary/")) throw new HttpError(404, `no route for ${path}`);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      return { body: summarize(dir, counterUrl, path.slice("/summary/".length)) };
    } finally {
      stats.inFlight--;
      stats.served++;
    }
  });
}

/**
 * Starts both servers on free ports; `dir` is the directory /summary
 * serves. Returns a promise of `{ url, close() }`.
 */
export function start({ dir = fileURLToPath(new URL(".", import.meta.url)), delayMs = 20 } = {}) {
  return spawn(() => {
    const counter = counterService(delayMs);
    const front = frontServer(dir, listen(counter, 0) + "/count");
    const url = listen(front, 0);
    const close = () => {
      counter.close();
      front.close();
    };
    return { url, close };
  });
}

/** Starts the servers, asks for three summaries at once, and stops. */
export async function main() {
  const { url, close } = await start();
  try {
    const get = async (path) => (await fetch(url + path)).json();
    const summaries = await Promise.all(["generator.js", "channels.js", "parser.js"].map((f) => get(`/summary/${f}`)));
    return { summaries, missing: await get("/summary/nope.txt"), stats: await get("/stats") };
  } finally {
    close();
  }
}

// Run directly (uncompiled, on the stackful backend): print what main() gives.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await main(), null, 2));
}
