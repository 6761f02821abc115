/**
 * Observations the library tests compare: JSON with the values JSON drops
 * (bigint, RegExp, undefined in arrays stays null), errors as plain objects,
 * and a short description of where two texts first differ.
 */

/** JSON.stringify that keeps bigints, regular expressions, errors, -0 and
 * NaN distinguishable; functions are left out as JSON does. */
export function json(value, space) {
  return JSON.stringify(
    value,
    function (key, v) {
      if (typeof v === "bigint") return `${v}n (bigint)`;
      if (v instanceof RegExp) return `/${v.source}/${v.flags} (regexp)`;
      if (v instanceof Error) return { error: v.constructor.name, message: v.message };
      if (typeof v === "number" && (Number.isNaN(v) || Object.is(v, -0) || !Number.isFinite(v))) return `${Object.is(v, -0) ? "-0" : v} (number)`;
      if (v === undefined && Array.isArray(this)) return "undefined";
      return v;
    },
    space,
  );
}

/** What a thrown value looks like, for comparison. */
export function thrown(e) {
  if (!(e instanceof Error)) return { threwValue: json(e) };
  const own = {};
  for (const k of Object.keys(e)) own[k] = e[k];
  return { threw: e.constructor.name, message: e.message, ...own };
}

/** { value } or the thrown value, as JSON text. */
export function observe(fn) {
  try {
    return json({ value: fn() });
  } catch (e) {
    return json(thrown(e));
  }
}

/** Where two strings first differ, with some context, or null. */
export function firstDifference(a, b, context = 60) {
  if (a === b) return null;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - context);
  return `at char ${i}: expected …${JSON.stringify(a.slice(from, i + context))}…, got …${JSON.stringify(b.slice(from, i + context))}…`;
}

/**
 * Compares per-item observations; returns a list of "name: difference"
 * lines (empty when everything matches), at most `limit` of them.
 */
export function differences(names, expected, actual, limit = 5) {
  const out = [];
  let count = 0;
  for (let i = 0; i < names.length; i++) {
    const d = firstDifference(expected[i], actual[i]);
    if (d === null) continue;
    count++;
    if (out.length < limit) out.push(`${names[i]}: ${d}`);
  }
  if (count > out.length) out.push(`... and ${count - out.length} more`);
  return out;
}
