// Generates the compile workload's input: a module of about `lines` lines of
// ordinary application code under a module-level "use fiber" directive, so
// the plugin marks (and must analyse and rewrite) every function in it.
//
// The text is a deterministic function of `lines`: a fixed-seed generator
// picks which kind of function comes next and its constants, and each kind
// calls functions generated before it, so call sites link the whole module.

// Small fixed-seed PRNG (xorshift32): same module on every machine and run
// (the library rows' inputs use it too). random(seed)(limit) -> 0..limit-1.
export function random(seed) {
  let state = seed >>> 0 || 1;
  return (limit) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % limit;
  };
}

const FIELDS = ["id", "name", "price", "count", "weight", "score", "level", "total"];
const WORDS = ["order", "item", "user", "route", "entry", "batch", "task", "record"];

// Each kind returns the source of one top-level declaration named `name`;
// `callee()` names an earlier function taking (value, options) for the new
// code to call.
const kinds = [
  function accumulate(name, pick, callee) {
    const field = FIELDS[pick(FIELDS.length)];
    return `
export function ${name}(items, options = {}) {
  const limit = options.limit ?? ${10 + pick(90)};
  let total = 0;
  let skipped = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!item || item.${field} == null) {
      skipped++;
      continue;
    }
    if (total > limit * ${2 + pick(8)}) break;
    total += ${callee()}(item.${field}, options);
  }
  return { total, skipped, average: items.length ? total / items.length : 0 };
}
`;
  },

  function guarded(name, pick, callee) {
    const word = WORDS[pick(WORDS.length)];
    return `
export function ${name}(input, log = []) {
  let attempts = 0;
  while (attempts < ${2 + pick(4)}) {
    attempts++;
    try {
      const parsed = typeof input === "string" ? JSON.parse(input) : input;
      const result = ${callee()}(parsed, { attempt: attempts });
      log.push(\`${word} \${attempts}: ok\`);
      return result;
    } catch (error) {
      log.push(\`${word} \${attempts}: \${error && error.message}\`);
      if (error instanceof SyntaxError) return null;
    } finally {
      log.push("${word} done");
    }
  }
  throw new Error("${name}: gave up after " + attempts + " attempts");
}
`;
  },

  function closureFactory(name, pick, callee) {
    return `
export function ${name}(initial = ${pick(100)}) {
  let value = initial;
  const history = [];
  function record(kind, amount) {
    history.push({ kind, amount, at: history.length });
    return value;
  }
  return {
    add(amount) {
      value += ${callee()}(amount, { scale: ${1 + pick(5)} });
      return record("add", amount);
    },
    reset() {
      value = initial;
      history.length = 0;
    },
    replay: () => history.reduce((acc, step) => (step.kind === "add" ? acc + step.amount : acc), initial),
    get size() {
      return history.length;
    },
  };
}
`;
  },

  function classWithMethods(name, pick, callee) {
    const field = FIELDS[pick(FIELDS.length)];
    const className = name[0].toUpperCase() + name.slice(1);
    return `
export class ${className} {
  static defaults = { capacity: ${8 + pick(56)}, strict: ${pick(2) === 0} };
  #entries = new Map();

  constructor(options = {}) {
    this.options = { ...${className}.defaults, ...options };
    this.hits = 0;
  }

  get size() {
    return this.#entries.size;
  }

  lookup(key) {
    const entry = this.#entries.get(key);
    if (entry) {
      this.hits++;
      return entry.${field};
    }
    return this.options.strict ? undefined : ${callee()}(key, this.options);
  }

  store(key, ${field}) {
    if (this.#entries.size >= this.options.capacity) {
      const [oldest] = this.#entries.keys();
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, { ${field}, storedAt: this.#entries.size });
    return this;
  }

  static from(pairs) {
    const table = new ${className}();
    for (const [key, ${field}] of pairs) table.store(key, ${field});
    return table;
  }
}

export function ${name}(value, options) {
  return ${className}.from([[value, options?.scale ?? ${pick(10)}]]).lookup(value);
}
`;
  },

  function dispatch(name, pick, callee) {
    const cases = WORDS.slice(0, 3 + pick(5));
    return `
export function ${name}(event, state = {}) {
  switch (event?.type) {
${cases
  .map(
    (word, k) => `    case "${word}": {
      const next = { ...state, ${word}: (state.${word} ?? 0) + ${k + 1} };
      return ${k % 2 ? `${callee()}(next, event)` : "next"};
    }`,
  )
  .join("\n")}
    default:
      if (event && typeof event === "object") {
        for (const key in event) {
          if (key.startsWith("_")) delete event[key];
        }
      }
      return state;
  }
}
`;
  },

  function search(name, pick, callee) {
    return `
export function ${name}(grid, target) {
  const found = [];
  outer: for (let row = 0; row < grid.length; row++) {
    let column = 0;
    do {
      const cell = grid[row][column];
      if (cell === target) {
        found.push([row, column]);
        if (found.length > ${1 + pick(6)}) break outer;
        continue outer;
      }
      if (cell < 0) column += ${callee()}(-cell, { row });
      column++;
    } while (column < grid[row].length);
  }
  return found.map(([row, column]) => \`\${row}:\${column}\`).join(",");
}
`;
  },

  function pipeline(name, pick, callee) {
    const field = FIELDS[pick(FIELDS.length)];
    return `
export function ${name}(records, { threshold = ${pick(50)}, sort = true, ...rest } = {}) {
  const selected = records
    .filter((record) => record?.${field} > threshold)
    .map(({ ${field}, ...others }) => ({ ...others, ${field}: ${callee()}(${field}, rest) }));
  if (sort) selected.sort((a, b) => b.${field} - a.${field});
  const [first, second, ...remaining] = selected;
  return { first, second, remaining: remaining.length, labels: selected.map((r) => r.name ?? "?") };
}
`;
  },

  function walk(name, pick, callee) {
    return `
export function ${name}(node, depth = 0, seen = new Set()) {
  if (node == null || seen.has(node) || depth > ${20 + pick(20)}) return 0;
  seen.add(node);
  let weight = typeof node.value === "number" ? ${callee()}(node.value, { depth }) : 1;
  const children = Array.isArray(node.children) ? node.children : [];
  for (const child of children) weight += ${name}(child, depth + 1, seen);
  return node.left || node.right ? weight + ${name}(node.left, depth + 1, seen) + ${name}(node.right, depth + 1, seen) : weight;
}
`;
  },
];

// The first function every other one can call.
const PRELUDE = `"use fiber";
// Generated by bench/workloads/compile/generate.mjs: realistic code, not meant to run.

export function scale(value, options) {
  return typeof value === "number" ? value * (options?.scale ?? 1) : 0;
}
`;

export function generateModule(lines, seed = 20240601) {
  const pick = random(seed);
  const parts = [PRELUDE];
  const callable = ["scale"];
  let count = PRELUDE.split("\n").length;
  for (let index = 0; count < lines; index++) {
    const kind = kinds[pick(kinds.length)];
    const name = `${kind.name}${index}`;
    const callee = () => callable[callable.length - 1 - pick(Math.min(callable.length, 12))];
    const text = kind(name, pick, callee);
    parts.push(text);
    callable.push(name);
    count += text.split("\n").length - 1;
  }
  return parts.join("");
}
