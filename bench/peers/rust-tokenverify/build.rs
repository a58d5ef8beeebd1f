// Load the libtokenverify that tokenverify-sys linked (TOKENVERIFY_LIB_DIR) at run time.
fn main() {
    if let Ok(dir) = std::env::var("DEP_TOKENVERIFY_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
