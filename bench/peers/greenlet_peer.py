"""Python greenlet peer: the same round-trip and producer workloads as
bench/workloads/*/fiber.mjs, on greenlet's real stack switching.

    python3 greenlet_peer.py '<spec json>'

spec: { entry, args, warmupArgs, warmup, warmupMs, reps, ops }. Prints one
JSON line in the protocol of bench/lib/child.mjs: median ns per op, or
{"ok": false, "skip": true} when greenlet is not installed.
"""
import json
import statistics
import sys
import time

try:
    from greenlet import getcurrent, greenlet
except ImportError:
    print(json.dumps({"ok": False, "skip": True, "error": "python3-greenlet not installed"}))
    sys.exit(0)

DONE = -1


def echo(main, depth):
    if depth > 1:
        return echo(main, depth - 1) + 0
    total = 0
    while True:
        value = main.switch(total)
        if value < 0:
            return total
        total += value


def round_trips(depth, n):
    fiber = greenlet(echo)
    fiber.switch(getcurrent(), depth)
    checksum = 0
    for i in range(n):
        checksum = (checksum + fiber.switch(i & 7)) & 0xFFFFFFFF
    return to_int32(checksum + fiber.switch(-1))


def emit(consumer, depth, n):
    if depth > 1:
        return emit(consumer, depth - 1, n)
    for i in range(n):
        consumer.switch(i & 1023)
    return DONE


def descend(consumer, depth, value):
    if depth > 1:
        return descend(consumer, depth - 1, value) + 1
    consumer.switch(value)
    return 1


def emit_fresh(consumer, depth, n):
    frames = 0
    for i in range(n):
        frames += descend(consumer, depth, i & 1023)
    return DONE if frames == n * depth else -2


def consume(fiber, *args):
    total = 0
    value = fiber.switch(getcurrent(), *args)
    while value != DONE:
        total = (total + value) & 0xFFFFFFFF
        value = fiber.switch()
    return to_int32(total)


def produce_at(depth, n):
    return consume(greenlet(emit), depth, n)


def produce_fresh(depth, n):
    return consume(greenlet(emit_fresh), depth, n)


def to_int32(value):
    """Wraps like JavaScript's `| 0`, so checksums match the JS peers."""
    value &= 0xFFFFFFFF
    return value - 0x100000000 if value >= 0x80000000 else value


ENTRIES = {"roundTrips": round_trips, "produceAt": produce_at, "produceFresh": produce_fresh}


def main():
    spec = json.loads(sys.argv[1])
    run = ENTRIES[spec["entry"]]
    warm_args = spec.get("warmupArgs") or spec["args"]
    started = time.perf_counter()
    done = 0
    while done < spec["warmup"] or (time.perf_counter() - started) * 1000 < spec.get("warmupMs", 0):
        run(*warm_args)
        done += 1
    times = []
    checksum = None
    for _ in range(spec["reps"]):
        t0 = time.perf_counter_ns()
        checksum = run(*spec["args"])
        times.append((time.perf_counter_ns() - t0) / spec["ops"])
    version = sys.modules["greenlet"].__version__
    print(json.dumps({"ok": True, "metrics": {"time": statistics.median(times)}, "checksum": checksum,
                      "info": f"greenlet {version}, Python {sys.version.split()[0]}"}))


if __name__ == "__main__":
    try:
        main()
    except Exception as err:  # one line for the harness, like the JS children
        print(json.dumps({"ok": False, "error": f"{type(err).__name__}: {err}"}))
        sys.exit(1)
