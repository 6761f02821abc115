// The Node.js this binary was compiled for, readable without loading it.
// The addon uses V8's and Node's C++ ABI, which changes with every Node major
// (NODE_MODULE_VERSION). Opening a binary built for another one fails late
// and hard ("symbol lookup error", exit 127) or not at all, so the loader
// (runtime/native/locate.ts) reads this string from the file and refuses a
// mismatch before dlopen. Exported, so no linker drops it.
#include <node_version.h>

extern "C" __attribute__((visibility("default"), used)) const char fiberlet_build_stamp[] =
    "fiberlet-build:abi=" NODE_STRINGIFY(NODE_MODULE_VERSION) ";node=" NODE_VERSION_STRING ";";
