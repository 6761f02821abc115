/**
 * A deterministic, side-effect-free description of a value for the fuzz log.
 * It never runs user code: accessors are shown as "get"/"set" without being
 * called, and nothing is coerced, so describing a value cannot add entries to
 * the log it is writing into.
 */
const MAX_DEPTH = 2;
const MAX_ITEMS = 8;

export function show(v, depth = 0) {
  switch (typeof v) {
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "string":
      return JSON.stringify(v);
    case "undefined":
    case "boolean":
      return String(v);
    case "bigint":
      return `${v}n`;
    case "symbol":
      return v.toString();
    case "function":
      return `fn ${ownData(v, "name") ?? "?"}/${ownData(v, "length") ?? "?"}`;
  }
  if (v === null) return "null";
  if (v instanceof Error) return `${className(v)}(${ownData(v, "message") ?? ""})`;
  if (depth >= MAX_DEPTH) return Array.isArray(v) ? "[…]" : "{…}";
  if (Array.isArray(v)) {
    const items = [];
    for (let i = 0; i < Math.min(v.length, MAX_ITEMS); i++) {
      const d = Object.getOwnPropertyDescriptor(v, i);
      items.push(d === undefined ? "_" : describeSlot(d, depth));
    }
    if (v.length > MAX_ITEMS) items.push(`…${v.length}`);
    return `[${items.join(",")}]`;
  }
  const keys = Reflect.ownKeys(v);
  const items = keys.slice(0, MAX_ITEMS).map((k) => {
    const d = Object.getOwnPropertyDescriptor(v, k);
    return `${typeof k === "symbol" ? `[${k.toString()}]` : k}:${describeSlot(d, depth)}`;
  });
  if (keys.length > MAX_ITEMS) items.push(`…${keys.length}`);
  const name = className(v);
  return `${name === "Object" ? "" : name}{${items.join(",")}}`;
}

function describeSlot(d, depth) {
  if ("value" in d) return show(d.value, depth + 1);
  return [d.get && "get", d.set && "set"].filter(Boolean).join("/");
}

/** A data property's value, or undefined for a missing or accessor one. */
function ownData(o, key) {
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d && "value" in d ? d.value : undefined;
}

function className(o) {
  const proto = Object.getPrototypeOf(o);
  if (proto === null) return "null-proto";
  const ctor = ownData(proto, "constructor");
  return typeof ctor === "function" ? ownData(ctor, "name") ?? "?" : "?";
}
