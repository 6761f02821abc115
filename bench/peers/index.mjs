// Every peer the bench compares, by name. A peer decides which style of
// workload source it runs (fiber, generator, async or python), how that
// source is prepared (copied, or compiled at bench time), and which process
// measures it. Workloads list the peers that apply to them.
import { fileURLToPath } from "node:url";
import { fiberletPeer, stackfulPeer } from "./fiberlet.mjs";
import { greenletPeer } from "./greenlet.mjs";
import { regeneratorPeer } from "./regenerator.mjs";

const MEASURE = fileURLToPath(new URL("../lib/measure.mjs", import.meta.url));

// A peer that runs its copied source unchanged.
function asIs(name, style, describe) {
  return {
    name,
    style,
    lenient: false,
    describe,
    unavailable: () => null,
    prepare: (workspace, relative) => workspace.source(relative),
  };
}

// root: this repository; packageDir: the fiberlet package the fiberlet
// peers load their plugin and runtime from (the workspace's snapshot).
export function createPeers(root, packageDir) {
  const peers = [
    asIs("plain", "fiber", "the fiber-style source run as-is: plain JavaScript, no fibers (the floor)"),
    fiberletPeer(packageDir),
    stackfulPeer(packageDir),
    asIs("generator", "generator", "native generators: function*, yield, yield* at the same depth"),
    regeneratorPeer(root),
    asIs("async", "async", "async/await, values handed back and forth through promises"),
    greenletPeer(),
    asIs("babel", "compile", "@babel/core parsing and printing the module, no plugin"),
  ];
  for (const peer of peers) {
    peer.command ??= (spec, nodeFlags = []) => ({
      command: process.execPath,
      args: [...nodeFlags, MEASURE, JSON.stringify(spec)],
      env: peer.env,
    });
  }
  return new Map(peers.map((peer) => [peer.name, peer]));
}
