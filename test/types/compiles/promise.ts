// The promise bridge: waitFor unwraps like await, spawn types its promise
// from the target and checks the arguments.
import { readFile } from "node:fs/promises";
import { spawn, waitFor } from "../../../runtime/index.js";

function size(path: string): number {
  const text: string = waitFor(readFile(path, "utf8"));
  return text.length;
}

const n: number = waitFor(Promise.resolve(1));
const stated = waitFor<number>(Promise.resolve(2)); // a type argument names the value type
const fromLike: string = waitFor({} as PromiseLike<string>);
const nested: string = waitFor(Promise.resolve(Promise.resolve("deep")));
const plain: boolean = waitFor(true);
const thenable: Date = waitFor({ then: (ok: (d: Date) => void) => ok(new Date()) });

const sized: Promise<number> = spawn(size, "package.json");
const two: Promise<string> = spawn((a: number, b: string) => b.repeat(a), 2, "x");
const adopted: Promise<string> = spawn(async () => "from a promise");
const none: Promise<void> = spawn(() => {});

export { n, stated, fromLike, nested, plain, thenable, sized, two, adopted, none };
