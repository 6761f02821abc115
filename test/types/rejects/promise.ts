// Each line after a @ts-expect-error must not compile.
import { spawn, waitFor } from "../../../runtime/index.js";

// @ts-expect-error waitFor returns the promise's value type
const s: string = waitFor(Promise.resolve(1));
// @ts-expect-error a type argument that does not match the promise
waitFor<string>(Promise.resolve(1));
// @ts-expect-error spawn's promise is of the target's result
const p: Promise<string> = spawn(() => 1);
// @ts-expect-error arguments of the wrong type for the target
spawn((a: number) => a, "one");
// @ts-expect-error missing arguments
spawn((a: number, b: number) => a + b, 1);
// @ts-expect-error too many arguments
spawn(() => 1, 2);
// @ts-expect-error spawn needs a function
spawn("not a function");
export { s, p };
