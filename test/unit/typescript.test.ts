// The plugin next to @babel/preset-typescript (plugins run before presets, so
// the plugin sees TypeScript syntax): parameter properties, enums, generics,
// non-null and `as` expressions in marked code, with a switch through them.
import { transformSync } from "@babel/core";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import plugin from "../../babel-plugin/index.js";

const runtime = resolve(__dirname, "../../runtime/protocol.ts");

it("compiles TypeScript with the preset and runs with switches inside methods and constructors", async () => {
  const src = `"use fiber";
    import { Fiber, current } from ${JSON.stringify(resolve(__dirname, "../../runtime/index.ts"))};
    enum Step { First = 1, Second }
    class Box<T> {
      constructor(private readonly value: T, public label = "box") {}
      take(main: Fiber): T { return (main.switch(this.label) as number) + (this.value as unknown as number) as unknown as T; }
    }
    export function run(): unknown[] {
      const main = current();
      const f = new Fiber((start: number): number => {
        const box = new Box<number>(start);
        return box.take(main)! * Step.Second;
      }, [10]);
      return [f.switch(), f.switch(5)];
    }`;
  const out = transformSync(src, {
    filename: "case.ts",
    babelrc: false,
    configFile: false,
    presets: [["@babel/preset-typescript"]],
    plugins: [[plugin, { runtime }]],
  });
  const file = join(mkdtempSync(join(tmpdir(), "fiberlet-ts-")), "case.mjs");
  writeFileSync(file, out!.code!);
  const { run } = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { run: () => unknown[] };
  expect(run()).toEqual(["box", (5 + 10) * 2]);
});
