// Runs a compiled example (examples/compile.mjs, as examples/run.mjs does)
// for test/examples/examples.test.ts, which checks what this prints:
//   node test/examples/drive.mjs <scenario>
import { fileURLToPath } from "node:url";
import { importExample } from "../../examples/compile.mjs";

const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
const load = (name) => importExample(examples + name);

const scenarios = {
  /** Every example module's main(), compiled. */
  async mains() {
    const out = {};
    for (const name of ["generator.js", "channels.js", "parser.js"]) out[name] = (await load(name)).main();
    return out;
  },

  /** The scheduler and the parser used from inside a fiber, not from main. */
  async nested() {
    const { Fiber } = await import("fiberlet");
    const channels = await load("channels.js");
    const parser = await load("parser.js");
    const inFiber = (fn) => new Fiber(fn).switch();
    return {
      primes: inFiber(() => channels.primesUpTo(30)),
      records: inFiber(() => parser.parseInChunks("a,b\n1,2\n", 3)),
    };
  },

  /** Random CSV, fed in random chunks, parses to what it was made from. */
  async csvRoundTrip() {
    const { CsvParser } = await load("parser.js");
    let seed = 7;
    const random = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabet = ['a', 'b', ',', '"', "\n", "\r\n", " ", "é"];
    const failures = [];
    for (let round = 0; round < 200; round++) {
      const records = Array.from({ length: 1 + random(4) }, () =>
        Array.from({ length: 1 + random(3) }, () => Array.from({ length: random(5) }, () => alphabet[random(alphabet.length)]).join("")),
      );
      // Quote every field; a record of one empty field is written `""`.
      const csv = records.map((r) => r.map((f) => `"${f.replaceAll('"', '""')}"`).join(",")).join(random(2) ? "\n" : "\r\n");
      const parser = new CsvParser();
      const got = [];
      for (let i = 0; i < csv.length; ) {
        const size = 1 + random(6);
        got.push(...parser.write(csv.slice(i, i + size)));
        i += size;
      }
      got.push(...parser.end());
      if (JSON.stringify(got) !== JSON.stringify(records)) failures.push({ csv, records, got });
    }
    return { rounds: 200, failures: failures.slice(0, 3) };
  },

  /** Starts examples/http-server.mjs's servers, prints their URL, and stops
   * them when stdin closes. */
  async serve() {
    const { start } = await load("http-server.mjs");
    const { url, close } = await start({ dir: examples, delayMs: 50 });
    process.stdin.on("end", close).resume();
    return { url };
  },
};

console.log(JSON.stringify(await scenarios[process.argv[2]]()));
