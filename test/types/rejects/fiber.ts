// Each line after a @ts-expect-error must not compile.
import { Fiber, current } from "../../../runtime/index.js";

// @ts-expect-error args of the wrong types for the target
new Fiber((a: number, b: string) => a + b, [1, 2]);
// @ts-expect-error args that are not an array
new Fiber((a: number) => a, 1);
// @ts-expect-error a target that is not a function
new Fiber(42);
// @ts-expect-error a typo in an option key
new Fiber({ target: () => 1, stacksize: 1 << 20 });
// @ts-expect-error stackSize is a number of bytes
new Fiber({ target: () => 1, stackSize: "1M" });
// @ts-expect-error options args that do not fit the target
new Fiber({ target: (s: string) => s, args: [1] });
// @ts-expect-error a parent that is not a Fiber
new Fiber(() => 1, [], {});
// @ts-expect-error nothing may follow an options object
new Fiber({ target: (x: number) => x }, [1]);

const f = new Fiber(() => 1);
// @ts-expect-error what a switch returns is unknown until the caller says what it expects
f.switch().toFixed();
// @ts-expect-error the same for throw
f.throw(new Error("x")).length;
const n = 1;
// @ts-expect-error the parent of a fiber may be null (the main fiber has none)
current().parent.switch();
// @ts-expect-error a parent must be a Fiber
f.parent = {};
// @ts-expect-error kind is read-only
f.kind = "main";
export { n };
