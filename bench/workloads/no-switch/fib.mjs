"use fiber";
// No-switch overhead: doubly recursive calls and nothing else. Run as-is this
// is plain JavaScript (the directive is an inert string); the fiberlet peer
// compiles the same text with the plugin, which marks every function here.

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export function run(n) {
  return fib(n);
}
