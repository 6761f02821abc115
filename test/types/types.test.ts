// Type tests of the public API: compiles/ must type-check as written, and
// every `// @ts-expect-error` line in rejects/ must fail to (tsc reports a
// directive whose line compiles), so both directions are one tsc run.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { expect, it } from "vitest";

const here = __dirname;
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

it("the API's types accept ordinary use without casts and reject misuse", () => {
  const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", join(here, "tsconfig.json")], { encoding: "utf8" });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
});

it("the reject fixtures expect errors (so a clean run above means each one fired)", () => {
  for (const file of readdirSync(join(here, "rejects"))) {
    const text = readFileSync(join(here, "rejects", file), "utf8");
    expect(text.match(/@ts-expect-error/g)?.length ?? 0, file).toBeGreaterThan(3);
  }
});
