// Source maps of compiled code: every emitted line of a marked function
// (fast copy, resume copy, records, guards) maps to a line of the source,
// the map carries the source text, and a position in the resume copy maps
// back to the statement it was made from.
import { transformSync } from "@babel/core";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { describe, expect, it } from "vitest";
import fiberlet from "../../babel-plugin/index.js";

const SOURCE = [
  '"use ' + 'fiber";',
  "export function walk(node, emit) {",
  "  let count = 0;",
  "  for (const child of node.children) {",
  "    count += walk(child, emit);",
  "  }",
  "  emit(node.value);",
  '  if (count > 100) throw new Error("too deep");',
  "  return count + 1;",
  "}",
].join("\n");

function compile() {
  const out = transformSync(SOURCE, {
    filename: "walk.js",
    babelrc: false,
    configFile: false,
    sourceMaps: true,
    plugins: [fiberlet],
  })!;
  return { code: out.code!, map: out.map! };
}

describe("source maps", () => {
  it("map every emitted line of the marked code and carry the source text", () => {
    const { code, map } = compile();
    expect(map.sourcesContent).toEqual([SOURCE]);
    const lines = code.split("\n");
    const segments = map.mappings.split(";");
    const unmapped = lines
      .map((text, i) => ({ text, line: i + 1, mapped: (segments[i] ?? "") !== "" }))
      .filter((l) => l.text.trim() !== "" && !/^[\s}\]);,]*$/.test(l.text) && !l.mapped);
    // Only the module prelude (the runtime import and its constants) may be unmapped.
    expect(unmapped.every((l) => /_fiberletRuntime|^const _fb[RSF]/.test(l.text)), JSON.stringify(unmapped, null, 1)).toBe(true);
  });

  it("map the resume copy's statements back to their source lines", () => {
    const { code, map } = compile();
    const traced = new TraceMap(map as never);
    const lines = code.split("\n");
    const throws = lines.flatMap((text, i) => (text.includes('throw new Error("too deep")') ? [i + 1] : []));
    // the fast copy and the resume copy
    expect(throws.length).toBe(2);
    for (const line of throws) {
      const column = lines[line - 1].indexOf("throw");
      expect(originalPositionFor(traced, { line, column }).line).toBe(8);
    }
  });
});
