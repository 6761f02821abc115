// Generates the nesting rows' input: `depth` functions nested in each other,
// each level about 40 bytes that calls its parameter (a callee the plugin
// cannot know, so every level can suspend) and then returns the next level.
// The function literal comes after the call, so a resume copy of each level
// must hold it: the shape whose output grows per level.
//
//   "use fiber";
//   export function level1(step) {
//   step(1);
//   return function level2(step) {
//   return step(2);
//   };
//   }
export function nestedModule(depth) {
  let body = `return step(${depth});`;
  for (let level = depth - 1; level >= 1; level--) {
    body = `step(${level});\nreturn function level${level + 1}(step) {\n${body}\n};`;
  }
  return `"use fiber";\nexport function level1(step) {\n${body}\n}\n`;
}
