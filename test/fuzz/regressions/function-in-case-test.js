// A marked function with a call site defined inside a case test. Fixed (passes at baec998); was: a plugin crash (its resume function was inserted into the SwitchCase).
function main(p0, p1) {
  switch (0) {
    case (() => sw(0))():
  }
  return 0;
}
