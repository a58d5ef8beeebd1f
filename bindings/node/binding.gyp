# The addon links the libtokenverify.so of TOKENVERIFY_LIB_DIR (scripts/build.js
# sets it) with an rpath to that directory, so the library loaded is always the
# one it was built against. TOKENVERIFY_C_INCLUDE overrides where tokenverify.h is
# (default: the tree's bindings/c/include, beside this package).
{
  "variables": {
    "tv_lib_dir%": "<!(node -p \"process.env.TOKENVERIFY_LIB_DIR || ''\")",
    "tv_c_include%": "<!(node -p \"process.env.TOKENVERIFY_C_INCLUDE || '../c/include'\")"
  },
  "targets": [
    {
      "target_name": "tokenverify",
      "sources": ["src/addon.c"],
      "include_dirs": ["<(tv_c_include)", "<(tv_lib_dir)/generated/include"],
      "cflags_c": ["-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8", "_POSIX_C_SOURCE=200809L"],
      "libraries": ["-L<(tv_lib_dir)", "-ltokenverify", "-Wl,-rpath,<(tv_lib_dir)"]
    }
  ]
}
