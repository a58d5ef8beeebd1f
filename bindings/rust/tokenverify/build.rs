//! Puts the directory of the libtokenverify that tokenverify-sys linked into
//! the rpath of this package's tests and examples, so they load that library
//! and no other. (Cargo passes link arguments of a build script only to the
//! package's own binaries; a program using this crate does the same in its own
//! build.rs, or runs with LD_LIBRARY_PATH.)
fn main() {
    if let Ok(dir) = std::env::var("DEP_TOKENVERIFY_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
