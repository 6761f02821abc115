// The real-library rows: each library loaded as the library suite loads it
// (test/libraries/library.mjs), doing a realistic job of its own. An entry:
//   root             the package folder: what the loader compiles for the
//                    marked copy, and what the size metric counts
//   load(loader)     -> the library's API, through the suite's loader
//   input(size)      -> the job's input, built before timing
//   run(api, input)  -> checksum, the same for the plain and the marked copy
import { dirname, join } from "node:path";
import { libraries, nodeModules } from "../../../test/libraries/library.mjs";
import { csvText, customers, generateModule, markdown } from "./inputs.mjs";

// The lodash functions of the mix, each from its own module, as the suite
// loads lodash (the single-file lodash.js takes minutes to compile).
const LODASH_MIX = [
  "camelCase", "chunk", "cloneDeep", "countBy", "flatMap", "get", "groupBy", "isEqual", "kebabCase",
  "keyBy", "map", "mapValues", "meanBy", "merge", "omit", "orderBy", "partition", "pick", "sumBy", "take", "uniqBy",
];

const CSV_PARSE = join(nodeModules, "csv-parse");

export const workloads = {
  // Parse a generated application module (classes, private fields,
  // destructuring, template literals, labelled loops), counting tokens.
  acorn: {
    root: dirname(libraries.acorn),
    load: (loader) => loader.load(libraries.acorn),
    input: (lines) => generateModule(lines),
    run(acorn, source) {
      let tokens = 0;
      const ast = acorn.parse(source, { ecmaVersion: "latest", sourceType: "module", onToken: () => tokens++ });
      return `${ast.body.length} statements, ${tokens} tokens`;
    },
  },

  // Markdown to HTML: lexer, inline tokenizer and renderer.
  marked: {
    root: dirname(libraries.marked),
    load: (loader) => loader.load(libraries.marked),
    input: (kb) => markdown(kb),
    run: (marked, text) => marked.parse(text).length,
  },

  // A round trip: dump records to YAML, load them back.
  "js-yaml": {
    root: dirname(libraries["js-yaml"]),
    load: (loader) => loader.load(libraries["js-yaml"]),
    input: (count) => customers(count),
    run(yaml, records) {
      const text = yaml.dump(records);
      return `${text.length} chars, ${yaml.load(text).length} records`;
    },
  },

  // A report over customer records the way application code uses lodash:
  // grouping, ordering, aggregates, deep copies and comparisons, picking.
  lodash: {
    root: libraries.lodash,
    load(loader) {
      const _ = {};
      for (const name of LODASH_MIX) _[name] = loader.load(join(libraries.lodash, `${name}.js`));
      return _;
    },
    input: (count) => customers(count),
    run(_, people) {
      const [active, inactive] = _.partition(people, "active");
      const meanScoreByCity = _.mapValues(_.groupBy(active, "address.city"), (group) => _.meanBy(group, "score"));
      const top = _.map(_.take(_.orderBy(active, ["score", "name"], ["desc", "asc"]), 10), (p) => _.pick(p, ["id", "name", "score"]));
      const orders = _.flatMap(people, "orders");
      const revenue = _.sumBy(orders, (o) => o.price * o.quantity);
      const products = _.uniqBy(orders, "sku").length;
      const tags = _.countBy(_.flatMap(people, "tags"));
      const bySlug = _.keyBy(people, (p) => `${_.kebabCase(p.name)}-${p.id}`);
      const copy = _.cloneDeep(people);
      _.merge(copy[0], { address: { city: "Bergen" }, tags: ["moved"] });
      const changed = people.filter((p, i) => !_.isEqual(p, copy[i])).length;
      const pages = _.chunk(_.map(people, (p) => _.omit(p, ["orders", "address"])), 25);
      return JSON.stringify({
        inactive: inactive.length, meanScoreByCity, top, revenue: revenue.toFixed(2), products, tags, changed,
        slugs: Object.keys(bySlug).length, pages: pages.length, city: _.get(copy, [0, "address", "city"]), key: _.camelCase("meanScoreByCity"),
      }).length;
    },
  },

  // Parse a CSV export into objects keyed by the header, numbers cast.
  "csv-parse": {
    root: CSV_PARSE,
    load: (loader) => loader.load(join(CSV_PARSE, "dist/cjs/sync.cjs")),
    input: (rows) => csvText(rows),
    run(csv, text) {
      const records = csv.parse(text, { columns: true, cast: true });
      let score = 0;
      for (const record of records) score += record.score;
      return `${records.length} records, score ${score.toFixed(1)}`;
    },
  },
};
