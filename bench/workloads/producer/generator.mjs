// Producer/consumer with generators: values are yielded through a yield*
// chain into a consuming next() loop (see fiber.mjs for the two variants).

function* emit(depth, n) {
  if (depth > 1) return yield* emit(depth - 1, n);
  for (let i = 0; i < n; i++) yield i & 1023;
}

function* descend(depth, value) {
  if (depth > 1) return (yield* descend(depth - 1, value)) + 1;
  yield value;
  return 1;
}

function* emitFresh(depth, n) {
  let frames = 0;
  for (let i = 0; i < n; i++) frames += yield* descend(depth, i & 1023);
  if (frames !== n * depth) throw new Error("wrong descent");
}

function consume(producer) {
  let sum = 0;
  for (let step = producer.next(); !step.done; step = producer.next()) sum = (sum + step.value) | 0;
  return sum;
}

export function produceAt(depth, n) {
  return consume(emit(depth, n));
}

export function produceFresh(depth, n) {
  return consume(emitFresh(depth, n));
}
