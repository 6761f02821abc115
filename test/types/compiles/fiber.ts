// Ordinary uses of the Fiber API: no casts needed.
import { Fiber, FiberError, current, type FiberOptions } from "../../../runtime/index.js";

// The target's parameters type the args; the target is checked against them.
const add = new Fiber((a: number, b: string) => a + b.length, [1, "two"]);
const both: Fiber<[number, string], number> = add;
const noArgs = new Fiber(() => "done");
const options = new Fiber({ target: (n: number) => n * 2, args: [21], stackSize: 256 * 1024 });
const withParent = new Fiber({ target: () => undefined, parent: current() });
const positionalParent = new Fiber((s: string) => s, ["x"], add);
const bare = new Fiber();

// What a switch brings back is stated by the caller.
const n: number = options.switch<number>();
const m: number = options.switch(); // the annotation states it too
const v: unknown = add.switch();
const t: string = noArgs.throw<string>(new Error("stop"));

// Any fiber is a parent; current() and parent are plain Fibers.
const main: Fiber = current();
const parent: Fiber | null = main.parent;
withParent.parent = add;
const kind: "main" | "stackless" | "stackful" = bare.kind;
const alive: boolean = positionalParent.isAlive();

// A subclass with run() needs no target.
class Counter extends Fiber {
  count = 0;
  run(): void {
    this.count++;
    main.switch(this.count);
  }
}
const counter = new Counter();
counter.switch();

// A subclass fixing the signature.
class Doubler extends Fiber<[number], number> {
  constructor(x: number) {
    super({ target: (y) => y * 2, args: [x] });
  }
}
const doubled: Fiber<[number], number> = new Doubler(2);

const opts: FiberOptions<[string], number> = { target: (s) => s.length, args: ["abc"] };
const fromOptions = new Fiber(opts);
const err: Error = new FiberError("m");

export { both, n, m, v, t, parent, kind, alive, doubled, fromOptions, err };
