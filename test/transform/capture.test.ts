// Saving frames (babel-plugin/capture.ts): each program in fixtures/capture
// runs plain, compiled on the main fiber and compiled inside a fiber that
// really switches at every sw() (the oracle is the plain run). They resume
// frames captured again and again, where the writer leaves settled slots
// out and saves the others.
import { describeFixturePrograms } from "../support/fixture-programs";

describeFixturePrograms("frames saved by the capture helpers resume as written", new URL("./fixtures/capture/", import.meta.url));
