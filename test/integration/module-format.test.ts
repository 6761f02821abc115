// The plugin picks the emitted module format from the input when the user
// sets no sourceType (babel-plugin/module-format.ts): CommonJS sources
// compiled with Babel's default options get `require` for the runtime and
// run under Node; ES modules keep `import`.
import { describe, expect, it } from "vitest";
import { makeProject } from "./project.js";

// Compiles each named file of the project with default options (no
// sourceType) and writes the output over it.
const compileAll = `
  const babel = require("@babel/core");
  const { readFileSync, writeFileSync } = require("node:fs");
  const out = {};
  for (const file of process.argv.slice(2)) {
    const { code } = babel.transformSync(readFileSync(file, "utf8"), {
      filename: file.startsWith("nofilename:") ? undefined : file,
      babelrc: false, configFile: false, plugins: ["fiberlet/babel"],
    });
    out[file] = /^import .*fiberlet\\/protocol/m.test(code) ? "import" : /require\\("fiberlet\\/protocol"\\)/.test(code) ? "require" : "none";
    writeFileSync(file, code);
  }
  console.log(JSON.stringify(out));
`;

// Marked code that switches fibers across two functions, as CommonJS.
const cjsLeaves = (exportLine: string) => `"use fiber";
const { Fiber, current } = require("fiberlet");
function walk(node, emit) {
  if (Array.isArray(node)) for (const child of node) walk(child, emit);
  else emit(node);
}
function leaves(tree) {
  const main = current();
  const f = new Fiber(() => walk(tree, (leaf) => main.switch(leaf)));
  const out = [];
  for (let v = f.switch(); f.isAlive(); v = f.switch()) out.push(v);
  return out;
}
// Sloppy, as CommonJS is: a plain call's this is the global object.
function self() { return this; }
${exportLine}`;

describe("module format of the emitted runtime import", () => {
  it("CommonJS (.cjs, and .js in a CommonJS package) gets require and runs; sloppy code stays sloppy", () => {
    const p = makeProject({ name: "app" }); // no "type": .js is CommonJS
    p.write({
      "compile.cjs": compileAll,
      "a.cjs": cjsLeaves("module.exports = { leaves, sloppy: self() === globalThis };"),
      "b.js": cjsLeaves("exports.leaves = leaves; exports.sloppy = self() === globalThis;"),
      "main.js": `const a = require("./a.cjs"), b = require("./b.js");
        console.log(JSON.stringify([a.leaves([1, [2, [3]]]), b.leaves([[4], 5]), a.sloppy, b.sloppy]));`,
    });
    const compiled = p.run(["compile.cjs", "a.cjs", "b.js"]);
    expect(compiled.stderr).toBe("");
    expect(JSON.parse(compiled.stdout)).toEqual({ "a.cjs": "require", "b.js": "require" });
    const ran = p.run(["main.js"]);
    expect(ran.stderr).toBe("");
    expect(JSON.parse(ran.stdout)).toEqual([[1, 2, 3], [4, 5], true, true]);
  });

  it("without a filename, a source with require/module.exports is a script and one with import/export a module", () => {
    const p = makeProject({ name: "app" });
    p.write({
      "compile.cjs": compileAll.replace("file.startsWith(\"nofilename:\") ? undefined : file", "undefined"),
      "c.cjs": cjsLeaves("module.exports = { leaves };"),
      "d.mjs": `"use fiber";\nimport { Fiber } from "fiberlet";\nexport const one = () => new Fiber(() => 1).switch();`,
    });
    const compiled = p.run(["compile.cjs", "c.cjs", "d.mjs"]);
    expect(compiled.stderr).toBe("");
    expect(JSON.parse(compiled.stdout)).toEqual({ "c.cjs": "require", "d.mjs": "import" });
    const ran = p.run(["-e", `import("./d.mjs").then((d) => console.log(JSON.stringify([require("./c.cjs").leaves([1, [2]]), d.one()])))`]);
    expect(ran.stderr).toBe("");
    expect(JSON.parse(ran.stdout)).toEqual([[1, 2], 1]);
  });

  it("ES modules are unchanged: .mjs, and .js in a \"type\": \"module\" package, even without import/export", () => {
    const p = makeProject({ name: "app", type: "module" });
    p.write({
      "compile.cjs": compileAll,
      "e.js": `"use fiber";\nimport { Fiber } from "fiberlet";\nexport const two = () => new Fiber(() => 2).switch();`,
      "f.js": `"use fiber";\nfunction g(h) { return h(); }\nglobalThis.g = g;`,
      "g.mjs": `"use fiber";\nfunction g(h) { return h(); }\nglobalThis.g2 = g;`,
    });
    const compiled = p.run(["compile.cjs", "e.js", "f.js", "g.mjs"]);
    expect(compiled.stderr).toBe("");
    expect(JSON.parse(compiled.stdout)).toEqual({ "e.js": "import", "f.js": "import", "g.mjs": "import" });
    const ran = p.run(["--input-type=module", "-e", `const { two } = await import("./e.js"); await import("./f.js"); await import("./g.mjs");
      console.log(JSON.stringify([two(), g(() => 3), g2(() => 4)]));`]);
    expect(ran.stderr).toBe("");
    expect(JSON.parse(ran.stdout)).toEqual([2, 3, 4]);
  });

  it("an explicit sourceType is the user's choice", () => {
    const p = makeProject({ name: "app" });
    p.write({
      "h.cjs": `const babel = require("@babel/core");
        const code = babel.transformSync('"use fiber"; function f(g) { return g(); }',
          { filename: "x.cjs", sourceType: "module", babelrc: false, configFile: false, plugins: ["fiberlet/babel"] }).code;
        console.log(/^import /m.test(code));`,
    });
    expect(p.run(["h.cjs"]).stdout.trim()).toBe("true");
  });
});
