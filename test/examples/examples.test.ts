// The examples (examples/*.js, examples/http-server.mjs), compiled with the
// plugin from dist/ as `node examples/run.mjs` does, each run in a child
// process (test/examples/drive.mjs) and checked against what they promise.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");
const examples = join(root, "examples");

function node(...args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" }));
}

const drive = (scenario: string) => node(join(__dirname, "drive.mjs"), scenario);

describe("npm run example", () => {
  it("runs examples/generator.js by default, and any example by name", () => {
    expect(node("examples/run.mjs")).toEqual({ leaves: [1, 2, 3, 4, 5, 6, 7, 8], fromFiber: "abc" });
    expect(node("examples/run.mjs", "channels")).toMatchObject({ primes: [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47] });
  });
});

describe("examples for every engine: generator, channels, parser", () => {
  let mains: Record<string, Record<string, unknown>>;
  beforeAll(() => {
    mains = drive("mains") as typeof mains;
  });

  it("import nothing but fiberlet (no Node APIs), with a module-level directive", () => {
    for (const name of ["generator.js", "channels.js", "parser.js"]) {
      const source = readFileSync(join(examples, name), "utf8");
      expect(source.startsWith('"use fiber";'), name).toBe(true);
      const imports = [...source.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
      expect(imports, name).toEqual(["fiberlet"]);
      expect(source, name).not.toMatch(/\bprocess\b|\brequire\(|node:/);
    }
  });

  it("generator: a tree walk yields leaves from any depth, to main and to another fiber", () => {
    expect(mains["generator.js"]).toEqual({ leaves: [1, 2, 3, 4, 5, 6, 7, 8], fromFiber: "abc" });
  });

  it("channels: blocking send and receive between scheduled fibers", () => {
    expect(mains["channels.js"]).toEqual({
      primes: [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47],
      pingPong: ["ping 1 -> got 10", "ping 2 -> got 20", "ping 3 -> got 30"],
      // three workers share six jobs, each blocking on the results channel in turn
      fanIn: ["a:1", "b:4", "c:9", "a:16", "a:25", "b:36"],
      deadlock: "deadlock: 1 fiber(s) blocked on channels forever",
    });
  });

  it("parser: the same records for every chunk size, mid-token splits included", () => {
    expect(mains["parser.js"]).toEqual({
      records: [
        ["name", "quote", "year"],
        ["Ada", 'Analytical "engine"', "1843"],
        ["Grace", "It's easier to ask forgiveness,\nthan permission", "1986"],
        ["Alan", "", "1936"],
      ],
      sizes: [1, 2, 3, 5, 7, 16],
      sameForEverySize: true,
      perWrite: [[], [["a", 'b"c', "d"]], [["1", "2", "3"]], [], []],
      error: "CsvError: unterminated quoted field at line 1, column 3",
    });
  });

  it("parser: random quoted CSV in random chunks parses back to its records", () => {
    expect(drive("csvRoundTrip")).toEqual({ rounds: 200, failures: [] });
  });

  it("the scheduler and the parser work inside a fiber too", () => {
    expect(drive("nested")).toEqual({ primes: [2, 3, 5, 7, 11, 13, 17, 19, 23, 29], records: [["a", "b"], ["1", "2"]] });
  });
});

describe("http-server: one fiber per request, waitFor on fs.promises and fetch", () => {
  let server: ChildProcess;
  let url: string;
  beforeAll(async () => {
    server = spawn(process.execPath, [join(__dirname, "drive.mjs"), "serve"], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
    const [line] = await createInterface({ input: server.stdout! })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
    url = (JSON.parse(line) as { url: string }).url;
  });
  afterAll(() => {
    server.stdin!.end();
  });

  const counts = (name: string) => {
    const text = readFileSync(join(examples, name), "utf8");
    return { file: name, lines: text.split("\n").length, words: text.split(/\s+/).filter(Boolean).length };
  };

  it("serves concurrent requests, each waiting on a file read and a fetch", async () => {
    const files = ["generator.js", "channels.js", "parser.js", "run.mjs", "compile.mjs"];
    const responses = await Promise.all(
      [...files.map((f) => `/summary/${f}`), "/summary/nope.txt", "/summary/..%2Fpackage.json", "/elsewhere"].map(async (path) => {
        const response = await fetch(url + path);
        return [response.status, await response.json()];
      }),
    );
    expect(responses).toEqual([
      ...files.map((f) => [200, counts(f)]),
      [404, { error: "no such file: nope.txt" }],
      [400, { error: "not a file name: ../package.json" }],
      [404, { error: "no route for /elsewhere" }],
    ]);
    const stats = (await (await fetch(url + "/stats")).json()) as { served: number; maxInFlight: number };
    expect(stats.served).toBe(7);
    // the word-count service takes 50 ms per call: requests were served
    // side by side, each fiber suspended in its own waitFor
    expect(stats.maxInFlight).toBeGreaterThan(1);
  });

  it("runs as written (uncompiled) on the stackful backend, with the same answers as compiled", () => {
    const stackful = node(join(examples, "http-server.mjs"));
    const compiled = node("examples/run.mjs", "http-server");
    expect(stackful).toEqual(compiled);
    expect(compiled).toMatchObject({ summaries: [counts("generator.js"), counts("channels.js"), counts("parser.js")] });
  });
});
