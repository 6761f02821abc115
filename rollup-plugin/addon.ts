/**
 * `emitAddon`: a Node bundle that carries the native addon. The runtime asks
 * runtime/native/bundled.js where a bundle put the addon; in the bundle,
 * that module becomes the URL of the addon file, emitted as an asset (the
 * build of the machine that bundles: the bundle must run on the same
 * platform). Without it, a Node bundle loads the addon from the fiberlet
 * package installed beside it.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { locateAddon, type Located } from "../runtime/native/locate.js";

/** The runtime's seam, in fiberlet's ES module build (what bundlers resolve). */
export const BUNDLED_ADDON_MODULE = /[\\/]dist[\\/]esm[\\/]runtime[\\/]native[\\/]bundled\.js$/;

interface EmitContext {
  emitFile(file: { type: "asset"; name: string; source: Uint8Array }): string;
  error(error: { message: string }): never;
}

/** The directory of this copy of fiberlet (the plugin runs from its dist/ or, in its tests, its sources). */
function packageRoot(): string | undefined {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "native", "binding.gyp")) && existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The code of bundled.js in a bundle: the emitted addon's URL, resolved by the bundler against the chunk. */
export function bundledAddonModule(context: EmitContext): string {
  const root = packageRoot();
  if (!root) return context.error({ message: "fiberlet: emitAddon could not locate the fiberlet package to take the native addon from" });
  let located: Located;
  try {
    const nodeGypBuild = createRequire(join(root, "package.json"))("node-gyp-build") as { path(dir: string): string };
    located = locateAddon(join(root, "native"), nodeGypBuild);
  } catch (err) {
    located = { error: err instanceof Error ? err.message.trim().split("\n")[0] : String(err) };
  }
  const file = located.file;
  if (file === undefined) {
    return context.error({
      message: `fiberlet: emitAddon found no native addon for this Node.js to emit: ${located.error} Or bundle without emitAddon.`,
    });
  }
  const ref = context.emitFile({ type: "asset", name: "fiberlet.node", source: readFileSync(file) });
  return `export const BUNDLED_ADDON = import.meta.ROLLUP_FILE_URL_${ref};\n`;
}
