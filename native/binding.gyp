{
  # Built from native/ (the loader passes this directory to node-gyp-build):
  # node-gyp-build looks for build/Release/*.node and prebuilds/ next to it.
  "targets": [
    {
      "target_name": "fiberlet",
      "sources": [
        "src/addon.cc",
        "src/cped_guard.cc",
        "src/js_thread.cc",
        "src/switch.cc",
        "src/thread_pool.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags_cc": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"],
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
