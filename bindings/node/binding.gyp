# The addon links the libtokenverify.so of TOKENVERIFY_LIB_DIR (scripts/build.js
# sets it) with an rpath to that directory, so the library loaded is always the
# one it was built against.
{
  "variables": {
    "tv_lib_dir%": "<!(node -p \"process.env.TOKENVERIFY_LIB_DIR || ''\")"
  },
  "targets": [
    {
      "target_name": "tokenverify",
      "sources": ["src/addon.c"],
      "include_dirs": ["../c/include", "<(tv_lib_dir)/generated/include"],
      "cflags_c": ["-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8", "_POSIX_C_SOURCE=200809L"],
      "libraries": ["-L<(tv_lib_dir)", "-ltokenverify", "-Wl,-rpath,<(tv_lib_dir)"]
    }
  ]
}
