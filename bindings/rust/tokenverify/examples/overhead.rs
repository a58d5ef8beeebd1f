//! What the safe API adds to a C ABI call, in ns per call (single thread):
//!
//!     TOKENVERIFY_LIB_DIR=... cargo run --release --example overhead [CONFIG TOKEN]
//!
//! Times, in the same process and interleaved, `sys::tv_verify(v, NULL, ...)`
//! called directly and `Verifier::verify_only` on (a) a token the engine refuses
//! at once (a malformed one: almost all of the time is the crossing) and (b) a
//! valid token (default: examples/kgateway's, RS256). The difference is the
//! binding's cost (best of 25 runs each): the close-safe reference count (two uncontended atomic
//! operations) and the status-to-Result mapping.

use std::hint::black_box;
use std::time::Instant;

use tokenverify::{sys, Verifier};

fn per_call(n: u32, mut f: impl FnMut() -> bool) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        assert!(black_box(f()));
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

/// The best of the runs: on a shared machine the least disturbed one.
fn best(v: Vec<f64>) -> f64 {
    v.into_iter().fold(f64::INFINITY, f64::min)
}

fn compare(label: &str, v: &Verifier, token: &[u8], expect_ok: bool, n: u32) {
    let raw = v.as_ptr().unwrap();
    let (mut c, mut rust) = (Vec::new(), Vec::new());
    for i in 0..25 {
        // Alternate which goes first, so that neither gains from its place.
        // SAFETY: a live verifier (not closed in this program) and the token's bytes.
        let c_run = || {
            per_call(
                n,
                || unsafe { sys::tv_verify(raw, std::ptr::null_mut(), token.as_ptr(), token.len()) == 0 } == expect_ok,
            )
        };
        let rust_run = || per_call(n, || v.verify_only(black_box(token)).is_ok() == expect_ok);
        if i % 2 == 0 {
            c.push(c_run());
            rust.push(rust_run());
        } else {
            rust.push(rust_run());
            c.push(c_run());
        }
    }
    let (c, rust) = (best(c), best(rust));
    println!("{label}: C ABI {c:.1} ns, Verifier::verify_only {rust:.1} ns: +{:.1} ns ({:.3}x)", rust - c, rust / c);
}

/// The same on every CPU at once: the reference count is one cache line that
/// every thread writes, so here its cost is the line moving between cores.
fn compare_threads(label: &str, v: &Verifier, token: &[u8], expect_ok: bool, n: u32) {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let raw = v.as_ptr().unwrap() as usize;
    let run = |binding: bool| {
        let start = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    let raw = raw as *const sys::tv_verifier;
                    for _ in 0..n {
                        let ok = if binding {
                            v.verify_only(black_box(token)).is_ok()
                        } else {
                            // SAFETY: a live verifier and the token's bytes.
                            unsafe { sys::tv_verify(raw, std::ptr::null_mut(), token.as_ptr(), token.len()) == 0 }
                        };
                        assert_eq!(black_box(ok), expect_ok);
                    }
                });
            }
        });
        start.elapsed().as_nanos() as f64 / n as f64
    };
    let (mut c, mut rust) = (Vec::new(), Vec::new());
    for _ in 0..9 {
        c.push(run(false));
        rust.push(run(true));
    }
    let (c, rust) = (best(c), best(rust));
    println!("{label} on {threads} threads: C ABI {c:.1} ns, Verifier::verify_only {rust:.1} ns per call per thread: +{:.1} ns ({:.3}x)", rust - c, rust / c);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../..");
    let (config, token) = if args.len() == 3 {
        (std::fs::read_to_string(&args[1]).unwrap(), std::fs::read_to_string(&args[2]).unwrap())
    } else {
        let config = std::fs::read_to_string(format!("{root}/examples/kgateway/config.json"))
            .unwrap()
            .replace("\"examples/", &format!("\"{root}/examples/"));
        (config, std::fs::read_to_string(format!("{root}/examples/kgateway/token.jwt")).unwrap())
    };
    let v = Verifier::new(&config).unwrap();
    let token = token.trim().as_bytes().to_vec();
    compare("malformed token", &v, b"not.a-token", false, 200_000);
    compare("valid token    ", &v, &token, true, 2_000);
    compare_threads("malformed token", &v, b"not.a-token", false, 200_000);
    compare_threads("valid token    ", &v, &token, true, 1_000);
}
