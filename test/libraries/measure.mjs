// Compile time and output size of each library under test, compiled fresh
// (the cache is refreshed, not read):
//   node test/libraries/measure.mjs [acorn marked js-yaml lodash lodash.js lodash/core.js]
// Default: the four libraries as the tests load them. `lodash.js` (the
// single-file build, about two minutes) and `lodash/core.js` are extra.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileFile, createLoader, describeStats, libraries, totalStats } from "./library.mjs";

const which = process.argv.slice(2).length ? process.argv.slice(2) : ["acorn", "marked", "js-yaml", "lodash"];

/** The lodash modules the battery uses (as lodash.test.ts loads them). */
function lodashModules() {
  const battery = readFileSync(new URL("./fixtures/lodash-battery.js", import.meta.url), "utf8");
  return [...new Set([...battery.matchAll(/_\.(\w+)\(/g)].map((m) => m[1]))].sort().map((m) => join(libraries.lodash, `${m}.js`));
}

for (const name of which) {
  const t0 = performance.now();
  try {
    let stats;
    if (name === "lodash") {
      const loader = createLoader({ compiled: true, root: libraries.lodash, fresh: true });
      for (const file of lodashModules()) loader.load(file);
      stats = totalStats(loader.stats);
    } else {
      const file = name === "lodash.js" || name === "lodash/core.js" ? join(libraries.lodash, name.replace("lodash/", "")) : libraries[name];
      stats = { files: 1, ...compileFile(file, { fresh: true }).stats };
    }
    console.log(describeStats(name, stats));
  } catch (e) {
    console.log(`${name}: does not compile after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${e.message.split("\n")[0]}`);
  }
}
