// The greenlet peer: Python greenlet (real C stack switching) running the
// same round-trip and producer workloads, in bench/peers/greenlet_peer.py.
// Skipped with a note when no python3 with greenlet is found; Debian's
// python3-greenlet lands in /usr/bin/python3, which may not be the python3
// first on PATH, so both are tried (FIBERLET_BENCH_PYTHON overrides).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./greenlet_peer.py", import.meta.url));
const INSTALL_HINT = "python3-greenlet not installed (apt-get install python3-greenlet)";

function findPython() {
  const candidates = process.env.FIBERLET_BENCH_PYTHON
    ? [process.env.FIBERLET_BENCH_PYTHON]
    : ["python3", "/usr/bin/python3"];
  for (const python of candidates) {
    const probe = spawnSync(python, ["-c", "import greenlet, sys; print(greenlet.__version__, sys.version.split()[0])"], {
      encoding: "utf8",
    });
    if (probe.status === 0) {
      const [greenlet, version] = probe.stdout.trim().split(" ");
      return { python, info: `greenlet ${greenlet}, Python ${version} (${python})` };
    }
  }
  return null;
}

export function greenletPeer() {
  let found;
  return {
    name: "greenlet",
    style: "python",
    lenient: false,
    describe: "Python greenlet ping-pong, same workload in Python",
    unavailable() {
      found ??= findPython() ?? false;
      return found ? null : INSTALL_HINT;
    },
    get info() {
      return found ? found.info : null;
    },
    prepare: () => SCRIPT,
    command: (spec) => ({ command: found.python, args: [SCRIPT, JSON.stringify(spec)] }),
  };
}
