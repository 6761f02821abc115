// `node -r @babel/register app.js` with a Babel config that lists
// fiberlet/babel, on a CommonJS program: the plugin emits require() for the
// runtime there (babel-plugin/module-format.ts). Under Babel's default
// sourceType "module" the emitted `import` made Node 20.20 print nothing and
// exit 0, as issue 10 reported.
import { describe, expect, it } from "vitest";
import { makeProject } from "./project.js";

const app = `"use fiber";
const { Fiber, current } = require("fiberlet");
function walk(node, emit) {
  if (Array.isArray(node)) for (const child of node) walk(child, emit);
  else emit(node);
}
const main = current();
const f = new Fiber(() => walk([1, [2, [3, [4]]]], (leaf) => main.switch(leaf)));
const seen = [];
for (let v = f.switch(); f.isAlive(); v = f.switch()) seen.push(v);
console.log(JSON.stringify([seen, f.kind]));
`;

describe("node -r @babel/register", () => {
  it("runs a marked CommonJS program compiled by fiberlet/babel from babel.config.json", () => {
    const p = makeProject({ name: "app" });
    p.write({ "app.js": app, "babel.config.json": JSON.stringify({ plugins: ["fiberlet/babel"] }) });
    const r = p.run(["-r", "@babel/register", "app.js"], { env: { BABEL_DISABLE_CACHE: "1" } });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([[1, 2, 3, 4], "stackless"]);
  });
});
