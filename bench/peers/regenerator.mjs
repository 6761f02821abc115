// The regenerator peer: generator-style workload sources compiled by Babel's
// regenerator transform into state machines that run on the
// regenerator-runtime package, the way generators ran before engines had them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// Current Babel inlines its own copy of the runtime as helpers. This plugin
// makes the transform fall back to its classic output instead
// (regeneratorRuntime.wrap/mark, as with @babel/plugin-transform-runtime),
// bound to an import of the regenerator-runtime package.
function useRegeneratorRuntimePackage({ types: t }) {
  return {
    pre(file) {
      file.set("helperGenerator", (name) => {
        // The marker that tells the transform the new helpers are unavailable.
        if (name === "regenerator") return t.identifier("__interal_marker_fallback_regenerator__");
        if (name === "regeneratorRuntime") {
          file.metadata.usesRegeneratorRuntime = true;
          return t.arrowFunctionExpression([], t.identifier("regeneratorRuntime"));
        }
        return undefined;
      });
    },
  };
}

export function regeneratorPeer(root) {
  const require = createRequire(join(root, "package.json"));
  const compile = (file) => {
    const babel = require("@babel/core");
    const out = babel.transformSync(readFileSync(file, "utf8"), {
      filename: file,
      sourceType: "module",
      babelrc: false,
      configFile: false,
      plugins: [useRegeneratorRuntimePackage, require("@babel/plugin-transform-regenerator")],
    });
    if (!out.metadata.usesRegeneratorRuntime) throw new Error("regenerator transform did not use regenerator-runtime");
    return `import regeneratorRuntime from "regenerator-runtime";\n${out.code}`;
  };
  return {
    name: "regenerator",
    style: "generator",
    lenient: false,
    describe: "generators compiled by @babel/plugin-transform-regenerator, on regenerator-runtime",
    unavailable: () => null,
    prepare: (workspace, relative) => workspace.variant(relative, "regenerator", compile),
  };
}
