// The Babel 8 check (scripts/babel8.sh runs it, under Node 22.18+ or 24.11+,
// after `npm ci` here and a fresh build). Every program of cases.mjs is
// compiled with the fiberlet plugin by Babel 8 (this directory's
// @babel/core) and by Babel 7 (the repository's), run on the stackless
// backend, and compared with the same program run uncompiled. The plugin
// Babel 8 loads is node_modules/fiberlet, the package as npm would install
// it (scripts/babel8.sh puts it there: dist/, package.json and its own
// dependencies), so its require("@babel/core") resolves to Babel 8 like in
// a project that uses Babel 8.
//
//   node check.mjs            all cases
//   node check.mjs --verbose  also print the code Babel 8 emits for failures
//   node check.mjs --mixed    also run Babel 8 with the repository's build of
//                             the plugin, which resolves Babel 7's packages
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";

process.env.FIBERLET_BACKEND ??= "continuation";
const started = performance.now();
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const verbose = process.argv.includes("--verbose");
const require8 = createRequire(join(here, "package.json"));
const require7 = createRequire(join(root, "package.json"));
const { cases, refusals } = await import("./cases.mjs");

const babel8 = require8("@babel/core");
const babel7 = require7("@babel/core");
const hosts = [
  {
    label: `Babel ${babel8.version}`,
    babel: babel8,
    plugin: require8.resolve("fiberlet/babel"),
    typescript: require8.resolve("@babel/preset-typescript"),
  },
  {
    label: `Babel ${babel7.version}`,
    babel: babel7,
    plugin: join(root, "dist/cjs/babel-plugin/index.js"),
    typescript: require7.resolve("@babel/preset-typescript"),
  },
];
// Loaded by Babel 8 through a path that resolves Babel 7's packages: what
// happens when a project's @babel/core and the one the plugin resolves differ.
if (process.argv.includes("--mixed")) {
  hosts.push({ ...hosts[1], label: `Babel ${babel8.version} (plugin resolving Babel ${babel7.version})`, babel: babel8, typescript: hosts[0].typescript });
}

let failures = 0;
const fail = (what, detail) => {
  failures++;
  console.log(`  FAIL ${what}${detail ? `\n${detail.replace(/^/gm, "       ")}` : ""}`);
};

// The environment must be what it claims: Babel 8, and a plugin copy whose
// own require("@babel/core") is Babel 8 (its helper packages are whatever
// package.json's dependencies give, as in a project).
const major = (v) => Number(v.split(".")[0]);
if (major(babel8.version) !== 8) fail(`test/babel8 installed @babel/core ${babel8.version}, not 8`);
if (major(babel7.version) !== 7) fail(`the repository's @babel/core is ${babel7.version}, not 7`);
const pluginRequire = createRequire(hosts[0].plugin);
const resolved = {};
for (const dep of ["@babel/core", "@babel/helper-plugin-utils", "@babel/helper-module-imports"]) {
  resolved[dep] = JSON.parse(readFileSync(pluginRequire.resolve(`${dep}/package.json`), "utf8")).version;
}
if (major(resolved["@babel/core"]) !== 8) fail(`the installed plugin resolves @babel/core ${resolved["@babel/core"]}, not 8`);
console.log(`Node ${process.version}, FIBERLET_BACKEND=${process.env.FIBERLET_BACKEND}; ${hosts.map((h) => h.label).join(", ")}`);
console.log(`node_modules/fiberlet resolves ${Object.entries(resolved).map(([d, v]) => `${d} ${v}`).join(", ")}`);

// Outcome of a program: the values passed to sw, then the result or error.
const DRIVER = `
function __drive(compiled) {
  const yields = [];
  const outcome = (f) => {
    try {
      return { result: f() };
    } catch (e) {
      return { error: e && typeof e === "object" && "message" in e ? e.name + ": " + e.message : String(e) };
    }
  };
  if (!compiled) return { yields, ...outcome(() => body((x) => { yields.push(x); return yields.length * 10; })) };
  const main = current();
  const fiber = new Fiber(() => body((x) => main.switch(x)));
  let out = outcome(() => fiber.switch());
  while (fiber.isAlive() && !("error" in out)) {
    yields.push(out.result);
    out = outcome(() => fiber.switch(yields.length * 10));
  }
  return { yields, ...out };
}`;
const show = (v) => JSON.stringify(v, (_, x) => (x === undefined ? "<undefined>" : typeof x === "bigint" ? `${x}n` : x));

const cjsRuntime = require7(join(root, "dist/cjs/runtime/index.js"));
const protocolPath = join(root, "dist/cjs/runtime/protocol.js");
const esmIndex = pathToFileURL(join(root, "dist/esm/index.mjs")).href;
const esmProtocol = pathToFileURL(join(root, "dist/esm/protocol.mjs")).href;
const out = join(here, ".out");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let written = 0;

function compile(host, c, withPlugin) {
  const module = c.sourceType === "module";
  const directive = withPlugin ? '"use fiber";\n' : "";
  const prefix = module ? `import { Fiber, current } from ${JSON.stringify(esmIndex)};\n` : "";
  const suffix = module ? `${DRIVER}\nexport { __drive };\n` : DRIVER;
  const source = `${directive}${prefix}${c.source}\n${suffix}`;
  if (!withPlugin && !c.ts) return source;
  return host.babel.transformSync(source, {
    babelrc: false,
    configFile: false,
    filename: `case.${c.ts ? "ts" : "js"}`,
    sourceType: module ? "module" : "script",
    presets: c.ts ? [host.typescript] : [],
    plugins: withPlugin ? [[host.plugin, { runtime: module ? esmProtocol : protocolPath }]] : [],
  }).code;
}

async function run(code, c, compiled) {
  if (c.sourceType === "module") {
    const file = join(out, `case${written++}.mjs`);
    writeFileSync(file, code);
    return (await import(pathToFileURL(file).href)).__drive(compiled);
  }
  const context = vm.createContext({ Fiber: cjsRuntime.Fiber, current: cjsRuntime.current, require: require7, console });
  vm.runInContext(code, context);
  return context.__drive(compiled);
}

const outputs = new Map(); // case name -> code per host
console.log(`\n${cases.length} programs`);
for (const c of cases) {
  let expected = c.expect;
  if (!expected) {
    try {
      expected = await run(compile(hosts[0], c, false), c, false);
    } catch (e) {
      fail(`${c.name}: uncompiled run threw`, e.stack);
      continue;
    }
  }
  const codes = [];
  const before = failures;
  for (const host of hosts) {
    let code;
    try {
      code = compile(host, c, true);
      codes.push(code);
    } catch (e) {
      fail(`${c.name} [${host.label}]: compile error`, e.stack.split("\n").slice(0, 8).join("\n"));
      continue;
    }
    let got;
    try {
      got = await run(code, c, true);
    } catch (e) {
      got = { crashed: e.stack.split("\n").slice(0, 6).join("\n") };
    }
    if (show(got) !== show(expected)) {
      fail(`${c.name} [${host.label}]`, `expected ${show(expected)}\n     got ${show(got)}${verbose && host === hosts[0] ? `\n${code}` : ""}`);
    }
  }
  outputs.set(c.name, codes);
  if (failures === before) console.log(`  ok   ${c.name}`);
}

console.log(`\n${refusals.length} refusals`);
for (const r of refusals) {
  const before = failures;
  for (const host of hosts) {
    try {
      host.babel.transformSync(r.source, { babelrc: false, configFile: false, sourceType: "script", plugins: [host.plugin] });
      fail(`${r.name} [${host.label}]: compiled without an error`);
    } catch (e) {
      if (!r.message.test(e.message)) fail(`${r.name} [${host.label}]: wrong error`, e.message);
    }
  }
  if (failures === before) console.log(`  ok   ${r.name}`);
}

// examples/generator.js as a project would compile it: default runtime
// ("fiberlet/protocol") and "fiberlet" resolved to the installed copy.
console.log("\nexamples/generator.js");
const example = readFileSync(join(root, "examples/generator.js"), "utf8");
const results = [];
for (const host of hosts) {
  try {
    const { code, map } = host.babel.transformSync(example, {
      babelrc: false,
      configFile: false,
      filename: join(root, "examples/generator.js"),
      sourceMaps: true,
      plugins: [host.plugin],
    });
    if (!code.includes('from "fiberlet/protocol"')) fail(`example [${host.label}]: no import of fiberlet/protocol`);
    if (!map || !map.mappings || !map.sources.some((s) => s.endsWith("generator.js"))) fail(`example [${host.label}]: no source map`);
    const file = join(out, `generator${written++}.mjs`);
    writeFileSync(file, code);
    results.push(show((await import(pathToFileURL(file).href)).main()));
  } catch (e) {
    fail(`example [${host.label}]`, e.stack.split("\n").slice(0, 8).join("\n"));
  }
}
const exampleExpected = show({ leaves: [1, 2, 3, 4, 5, 6, 7, 8], fromFiber: "abc" });
results.forEach((r, i) => r !== exampleExpected && fail(`example [${hosts[i].label}]`, `expected ${exampleExpected}\n     got ${r}`));
if (results.length === hosts.length && results.every((r) => r === exampleExpected)) console.log(`  ok   ${results[0]}`);

const same = [...outputs.values()].filter((codes) => codes.length >= 2 && codes[0] === codes[1]).length;
console.log(`\nBabel 8 and Babel 7 emitted identical code for ${same} of ${outputs.size} programs`);
console.log(`${failures ? `${failures} FAILED` : "all passed"} (${((performance.now() - started) / 1000).toFixed(1)}s)`);
rmSync(out, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
