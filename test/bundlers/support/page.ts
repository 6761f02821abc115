// The test page: index.html runs entry.js, which imports each program under
// test, awaits its main() and writes { ok: { name: result } } (or
// { error }) into #report, then marks it done. sessionStorage counts how
// many times the entry ran in this tab: a dev server's reload runs it twice.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export function writePage(dir: string, programs: Record<string, string>): void {
  const names = Object.keys(programs);
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>fiberlet</title></head>\n' +
      '<body><pre id="report"></pre><script type="module" src="./entry.js"></script></body></html>\n',
  );
  writeFileSync(
    join(dir, "entry.js"),
    names.map((name, i) => `import * as program${i} from ${JSON.stringify(programs[name])};\n`).join("") +
      `const programs = { ${names.map((name, i) => `${JSON.stringify(name)}: program${i}`).join(", ")} };
sessionStorage.setItem("loads", String(Number(sessionStorage.getItem("loads")) + 1));
const report = document.getElementById("report");
(async () => {
  const ok = {};
  for (const [name, program] of Object.entries(programs)) ok[name] = await program.main();
  return { ok };
})().then(
  (result) => { report.textContent = JSON.stringify(result); },
  (err) => { report.textContent = JSON.stringify({ error: String((err && err.stack) || err) }); },
).finally(() => { report.dataset.done = ""; });
`,
  );
}
