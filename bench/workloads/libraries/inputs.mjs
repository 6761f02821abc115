// Inputs of the real-library rows: a deterministic function of their size
// (fixed-seed data, this repository's own documentation), built before any
// timing starts.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { random } from "../compile/generate.mjs";

export { generateModule } from "../compile/generate.mjs";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Niklaus"];
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Wirth"];
const CITIES = ["Oslo", "Lyon", "Kyoto", "Quito", "Perth", "Accra", "Lima", "Porto"];
const TAGS = ["admin", "beta", "churned", "enterprise", "trial", "vip", "partner"];
// Free text as people type it into a form: commas, quotes, line breaks.
const NOTES = ["", "prefers email", 'asked for "express" shipping', "moved, new address pending", "call after 5pm\nnot before"];

const day = (pick) => `20${10 + pick(15)}-${String(1 + pick(12)).padStart(2, "0")}-${String(1 + pick(28)).padStart(2, "0")}`;

// `count` customer records with a nested address, tags and orders: the shape
// of a typical JSON API payload or configuration document.
export function customers(count, seed = 7) {
  const pick = random(seed);
  const records = [];
  for (let i = 0; i < count; i++) {
    const first = FIRST[pick(FIRST.length)];
    const last = LAST[pick(LAST.length)];
    const orders = [];
    for (let k = pick(5); k > 0; k--) orders.push({ sku: `SKU-${pick(50)}`, quantity: 1 + pick(9), price: (100 + pick(9900)) / 100, date: day(pick) });
    records.push({
      id: i + 1,
      name: `${first} ${last}`,
      email: `${first}.${last}${i}@example.com`.toLowerCase(),
      active: pick(4) !== 0,
      score: pick(1000) / 10,
      joined: day(pick),
      address: { street: `${1 + pick(200)} ${LAST[pick(LAST.length)]} Street`, city: CITIES[pick(CITIES.length)], zip: String(10000 + pick(90000)) },
      tags: TAGS.filter(() => pick(3) === 0),
      orders,
      note: NOTES[pick(NOTES.length)],
    });
  }
  return records;
}

// The customers as a CSV export with a header row; fields holding commas,
// quotes or line breaks are quoted (RFC 4180).
export function csvText(rows) {
  const field = (value) => {
    const text = String(value);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = ["id,name,email,active,score,joined,city,zip,orders,note"];
  for (const c of customers(rows)) {
    lines.push([c.id, c.name, c.email, c.active, c.score, c.joined, c.address.city, c.address.zip, c.orders.length, c.note].map(field).join(","));
  }
  return `${lines.join("\n")}\n`;
}

// This repository's documentation (README.md, docs/*.md: prose, tables,
// lists, code blocks, links) repeated to about `kb` KB, cut at a blank line.
export function markdown(kb) {
  // The READMEs of installed packages (pinned by the lockfile), not this
  // repository's docs: those change while a bench runs beside other work,
  // and between commits, which made samples and runs disagree.
  const packages = ["terser", "fast-check", "acorn", "rollup", "marked", "csv-parse", "typescript", "vite", "lodash", "js-yaml"];
  const files = packages.map((name) => `${repoRoot}node_modules/${name}/README.md`).filter((file) => existsSync(file));
  const docs = files.map((file) => readFileSync(file, "utf8")).join("\n\n");
  const length = kb * 1024;
  let text = "";
  while (text.length < length) text += `${docs}\n\n`;
  const cut = text.lastIndexOf("\n\n", length);
  return `${text.slice(0, cut > 0 ? cut : length)}\n`;
}
