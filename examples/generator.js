"use fiber";
// A fiber-backed generator, the python-fibers way: `leaves()` walks a tree
// with ordinary recursion and hands each leaf to its consumer by switching,
// from any depth. No function* and no yield* at every level.
import { Fiber, current } from "fiberlet";

/** An iterator whose values come from `produce(emit)` running in a fiber. */
export class FiberGenerator {
  constructor(produce) {
    this.consumer = null;
    this.producer = new Fiber(() => {
      produce((value) => this.consumer.switch({ value, done: false }));
      return { value: undefined, done: true };
    });
  }
  next() {
    this.consumer = current();
    if (!this.producer.isAlive()) return { value: undefined, done: true };
    // Each switch runs the producer until it emits (or finishes).
    return this.producer.switch();
  }
  [Symbol.iterator]() {
    return this;
  }
}

function walk(node, emit) {
  if (Array.isArray(node)) for (const child of node) walk(child, emit);
  else emit(node);
}

export function leaves(tree) {
  return new FiberGenerator((emit) => walk(tree, emit));
}

export function main() {
  const tree = [1, [2, [3, [4, [5]]]], [[6], 7], [[[[8]]]]];
  const seen = [];
  for (const leaf of leaves(tree)) seen.push(leaf);
  // The same generator consumed from inside another fiber, step by step.
  const inner = new Fiber(() => {
    const it = leaves([["a"], ["b", ["c"]]]);
    let out = "";
    for (let r = it.next(); !r.done; r = it.next()) out += r.value;
    return out;
  });
  return { leaves: seen, fromFiber: inner.switch() };
}
