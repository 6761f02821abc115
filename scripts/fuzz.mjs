// Differential fuzzing of the Babel plugin (test/fuzz/README.md).
//
//   node scripts/fuzz.mjs [--seed S] [--runs N] [--feature a,b | --all] [--size tiny|small|large]
//                         [--max-failures K] [--code] [--save name]
//   node scripts/fuzz.mjs --regressions
//
// --feature runs core plus the listed features; --all every feature; the
// default is what test/fuzz/fuzz.test.ts runs (every feature not listed in
// known-failing.json). Each distinct failure is shrunk and printed (--code
// adds the compiled program); --save also writes each one to
// test/fuzz/regressions/<name>-<n>.js. --regressions runs the saved programs
// and says which known failures still fail. The plugin and runtime come from
// dist/ (npm run build), or from FIBERLET_FUZZ_DIST.
import { ALL_FEATURES, FEATURES, SIZES } from "../test/fuzz/grammar.mjs";
import { describeFailure, explore } from "../test/fuzz/campaign.mjs";
import { check } from "../test/fuzz/harness.mjs";
import { readKnownFailing, readRegressions, saveRegression } from "../test/fuzz/regressions.mjs";

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? fallback : argv[i + 1];
};
const flag = (name) => argv.includes(`--${name}`);
const known = readKnownFailing();

if (flag("help")) {
  console.log("usage: node scripts/fuzz.mjs [--seed S] [--runs N] [--feature a,b | --all] [--size tiny|small|large] [--max-failures K] [--code] [--save name]");
  console.log("       node scripts/fuzz.mjs --regressions\nfeatures (* = known failing, left out by default):");
  for (const [name, what] of Object.entries(FEATURES)) console.log(`  ${name in known.features ? "*" : " "} ${name.padEnd(18)} ${what}`);
  process.exit(0);
}

if (flag("regressions")) {
  let surprises = 0;
  for (const { name, program } of readRegressions()) {
    const v = check(program);
    const entry = known.regressions[name];
    const expected = entry ? entry.kind : "ok";
    const mark = v.kind === expected ? "  " : "!!";
    if (mark === "!!") surprises++;
    console.log(`${mark} ${name.padEnd(44)} ${v.kind.padEnd(9)} ${entry ? "(known failing)" : ""} ${v.kind === "ok" ? "" : (v.detail ?? "").split("\n")[0].slice(0, 140)}`);
  }
  console.log(surprises ? `${surprises} regression(s) behave differently from known-failing.json` : "as recorded in known-failing.json");
  process.exitCode = surprises ? 1 : 0;
} else {
  fuzz();
}

function fuzz() {
  let features;
  if (opt("feature")) features = opt("feature").split(",");
  else if (flag("all")) features = ALL_FEATURES;
  else features = ALL_FEATURES.filter((f) => !(f in known.features));
  for (const f of features) if (!(f in FEATURES)) throw new Error(`unknown feature ${f} (see --help)`);
  const size = opt("size", "small");
  if (!(size in SIZES)) throw new Error(`unknown size ${size}: ${Object.keys(SIZES).join(", ")}`);

  const seed = Number(opt("seed", Date.now() % 1e9));
  const runs = Number(opt("runs", 1000));
  console.log(`seed ${seed}, ${runs} programs (${size}), features: core ${features.join(" ")}`);
  const t0 = performance.now();
  let last = 0;
  let saved = 0;
  const { failures, stats } = explore({
    seed,
    runs,
    features,
    size,
    maxFailures: Number(opt("max-failures", 10)),
    onProgress: (s) => {
      if (process.stderr.isTTY && performance.now() - last > 500) {
        last = performance.now();
        process.stderr.write(`\r${s.programs} programs...`);
      }
    },
    onFailure: (f) => {
      console.log(`\n${describeFailure(f, { withCode: flag("code") })}\n`);
      if (opt("save")) {
        const name = `${opt("save")}-${++saved}`;
        saveRegression(name, f.program, `fuzz: ${f.signature} (seed ${seed})`);
        console.log(`saved as test/fuzz/regressions/${name}.js`);
      }
    },
  });
  const secs = (performance.now() - t0) / 1000;
  if (process.stderr.isTTY) process.stderr.write("\r");
  console.log(
    `${stats.programs} programs in ${secs.toFixed(1)} s (${(stats.programs / secs).toFixed(1)}/s, shrinking included), ` +
      `${stats.skipped} skipped as unbounded, ${stats.switches} sw() calls, ${stats.refusals} refused at boundaries; verdicts ${JSON.stringify(stats.kinds)}`,
  );
  console.log(failures.length ? `${failures.length} distinct failure(s): ${failures.map((f) => f.signature).join("; ")}` : "no failures");
  process.exitCode = failures.length ? 1 : 0;
}
