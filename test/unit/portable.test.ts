// The runtime must load in any engine (browsers through a bundler, Deno,
// Bun): its built files may not import Node's builtins, which only the
// native backend uses, fetched at run time with process.getBuiltinModule.
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const runtime = resolve(__dirname, "../../dist/cjs/runtime");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".js") ? [join(dir, e.name)] : [],
  );
}

describe("the built runtime", () => {
  it("imports no Node builtin module", () => {
    const found = files(runtime).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/require\("([^"]+)"\)/g)]
        .map((m) => m[1])
        .filter((id) => !id.startsWith("."))
        .map((id) => `${file}: ${id}`),
    );
    expect(files(runtime).length).toBeGreaterThan(4);
    expect(found).toEqual([]);
  });

  it("runs with no `process` global (as in a browser)", () => {
    const code = `const saved = globalThis.process; delete globalThis.process;
      try { const { Fiber, current } = require(${JSON.stringify(join(runtime, "index.js"))});
        function plain() { return 7; }
        const f = new Fiber(plain);
        return [f.kind, f.switch(), current().kind];
      } finally { globalThis.process = saved; }`;
    // eslint-disable-next-line no-new-func
    const run = new Function("require", code) as (r: NodeRequire) => unknown;
    expect(run(require)).toEqual(["stackless", 7, "main"]);
  });
});
