{
  # Built from native/ (the loader passes this directory to node-gyp-build):
  # node-gyp-build looks for build/Release/*.node and prebuilds/ next to it.
  "targets": [
    {
      "target_name": "fiberlet",
      # V8's and Node's C++ API, not Node-API: a binary fits one
      # NODE_MODULE_VERSION only (build_stamp.cc records which).
      "sources": [
        "src/addon.cc",
        "src/build_stamp.cc",
        "src/cped_guard.cc",
        "src/js_thread.cc",
        "src/switch.cc",
        "src/thread_pool.cc"
      ],
      "cflags_cc": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"],
      # Bind every symbol when the binary is opened: one missing from this
      # Node (a build for another version that slipped past the stamp check)
      # is a catchable dlopen error, not a "symbol lookup error" that kills
      # the process at the first call. (-z defs cannot apply: V8's and
      # Node's symbols come from the node executable, unknown at link time.)
      "ldflags": ["-Wl,-z,now"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {
            "MACOSX_DEPLOYMENT_TARGET": "11.0",
            "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra", "-Wno-unused-parameter"]
          }
        }]
      ]
    }
  ]
}
