import { transformSync } from "@babel/core";
import { readFileSync } from "node:fs";
const { default: plugin } = await import(new URL("../dist/cjs/babel-plugin/index.js", import.meta.url).href);
const src = readFileSync(process.argv[2], "utf8");
const out = transformSync(src, { filename: process.argv[2], babelrc: false, configFile: false, plugins: [[plugin, { runtime: "fiberlet/protocol" }]], parserOpts: { plugins: ["typescript"] } });
console.log(out.code);
