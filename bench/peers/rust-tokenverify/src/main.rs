//! The "tokenverify (Rust)" row of the peer harness: the `tokenverify` crate
//! (bindings/rust) over the C ABI.
//!
//!     tokenverify-rust-peer TOKENS_DIR [SECONDS [REPEATS]]
//!
//! One `Verifier` per algorithm, built once from `<alg>.tv.json` (signature,
//! exp, iss and aud checked), exactly as the C row's driver
//! (bench/peers/tokenverify_driver.c). The timed call is
//! `Verifier::verify_only(&[u8])`: no claims object, like the C row "tokenverify";
//! it allocates nothing. Before timing, the good token must pass and every
//! negative token must fail. Timing as bench/peers/peer_common.h: batches that
//! double until one takes 5 ms, about SECONDS of wall time per repeat, process
//! CPU time per operation, the median of REPEATS after a warm-up of SECONDS/10.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use tokenverify::Verifier;

const ALGS: [&str; 5] = ["HS256", "RS256", "PS256", "ES256", "EdDSA"];
const NEGATIVES: [&str; 4] = ["bad_signature", "expired", "wrong_issuer", "wrong_audience"];
const PEER: &str = "tokenverify (Rust)";

#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}
extern "C" {
    fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
}
const CLOCK_PROCESS_CPUTIME_ID: i32 = 2; // Linux

/// CPU time of the whole process (every thread), in nanoseconds.
fn cpu_ns() -> u64 {
    let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// (CPU ns/op, wall ns/op, ops), or None if an operation failed.
fn timed_run(op: &mut impl FnMut() -> bool, seconds: f64) -> Option<(f64, f64, u64)> {
    let budget = Duration::from_secs_f64(seconds);
    let (mut batch, mut done) = (1u64, 0u64);
    let cpu0 = cpu_ns();
    let start = Instant::now();
    let mut elapsed = Duration::ZERO;
    while elapsed < budget {
        for _ in 0..batch {
            if !op() {
                return None;
            }
        }
        done += batch;
        elapsed = start.elapsed();
        if elapsed < Duration::from_millis(5) && batch < (1 << 24) {
            batch *= 2;
        }
    }
    let cpu = (cpu_ns() - cpu0) as f64 / done as f64;
    Some((cpu, elapsed.as_nanos() as f64 / done as f64, done))
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn head(alg: &str) -> String {
    format!(
        "{{\"peer\":{},\"language\":\"Rust\",\"version\":{},\"alg\":{}",
        json_str(PEER),
        json_str(tokenverify::version()),
        json_str(alg)
    )
}

fn unavailable(alg: &str, why: &str) {
    println!("{},\"unavailable\":{}}}", head(alg), json_str(why));
}

fn read(dir: &Path, name: &str) -> Result<String, String> {
    std::fs::read_to_string(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"))
}

fn token(dir: &Path, alg: &str, negative: Option<&str>) -> Result<Vec<u8>, String> {
    let low = alg.to_ascii_lowercase();
    let name = match negative {
        None => format!("{low}.jwt"),
        Some(n) => format!("{low}.{n}.jwt"),
    };
    Ok(read(dir, &name)?.trim_end_matches(['\n', '\r']).as_bytes().to_vec())
}

fn run(dir: &Path, alg: &str, seconds: f64, repeats: usize) -> Result<(), String> {
    let config = read(dir, &format!("{}.tv.json", alg.to_ascii_lowercase()))?;
    let v = Verifier::new(&config).map_err(|e| format!("configuration rejected: {e}"))?;
    let good = token(dir, alg, None)?;
    v.verify_only(&good).map_err(|e| format!("good token rejected: {}", e.name()))?;
    for n in NEGATIVES {
        if v.verify_only(&token(dir, alg, Some(n))?).is_ok() {
            return Err(format!("{n} token accepted"));
        }
    }
    let mut op = || v.verify_only(&good).is_ok();
    timed_run(&mut op, seconds / 10.0).ok_or("good token rejected while timing")?;
    let mut runs = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        runs.push(timed_run(&mut op, seconds).ok_or("good token rejected while timing")?);
    }
    let mut sorted: Vec<f64> = runs.iter().map(|r| r.0).collect();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = sorted[(repeats - 1) / 2];
    let chosen = runs.iter().find(|r| r.0 == median).unwrap();
    let runs_ns: Vec<String> = runs.iter().map(|r| format!("{:.1}", r.0)).collect();
    let note = format!(
        "tokenverify crate over the C ABI; Verifier::verify_only(&[u8]): no claims object (like the C row), \
         close-safe reference count included; base64url kernel {}",
        tokenverify::base64url_implementation()
    );
    println!(
        "{},\"ns_per_op\":{:.1},\"wall_ns_per_op\":{:.1},\"ops\":{},\"runs_ns\":[{}],\"checks\":\"ok\",\"note\":{}}}",
        head(alg),
        median,
        chosen.1,
        chosen.2,
        runs_ns.join(","),
        json_str(&note)
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 2 || args.len() > 4 {
        eprintln!("usage: tokenverify-rust-peer TOKENS_DIR [SECONDS [REPEATS]]");
        std::process::exit(2);
    }
    let dir = Path::new(&args[1]);
    let seconds: f64 = args.get(2).and_then(|s| s.parse().ok()).filter(|s: &f64| *s > 0.0).unwrap_or(1.0);
    let repeats: usize = args.get(3).and_then(|s| s.parse().ok()).filter(|r| *r > 0).unwrap_or(3).min(15);
    for alg in ALGS {
        if let Err(why) = run(dir, alg, seconds, repeats) {
            unavailable(alg, &why);
        }
    }
}
