//! Rust peer of the tokenverify peer harness: the `jsonwebtoken` crate (aws-lc-rs backend).
//!
//!     jsonwebtoken-peer TOKENS_DIR [SECONDS [REPEATS]]
//!
//! One `DecodingKey` per algorithm, built once from the PEM (or the secret); one
//! `Validation` that allows that algorithm only and requires exp, iss and aud.
//! Claims decode into a typed struct, as a Rust service would. Before timing,
//! the good token must pass and every negative token must fail. One JSON line
//! per algorithm on stdout.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{json, Value};

const ALGS: [&str; 5] = ["HS256", "RS256", "PS256", "ES256", "EdDSA"];
const NEGATIVES: [&str; 4] = ["bad_signature", "expired", "wrong_issuer", "wrong_audience"];
const LIB_VERSION: &str = "11.1.0"; // pinned in Cargo.toml

/// The payload of the token set.
#[allow(dead_code)]
#[derive(Deserialize)]
struct BenchClaims {
    iss: String,
    sub: String,
    aud: String,
    exp: u64,
    nbf: u64,
    iat: u64,
    jti: String,
    scope: String,
    name: String,
    email: String,
    email_verified: bool,
    roles: Vec<String>,
    tenant: String,
}

#[derive(Deserialize)]
struct Entry {
    token: String,
    negatives: BTreeMap<String, String>,
    public_pem_file: Option<String>,
    secret_b64url: Option<String>,
}

#[derive(Deserialize)]
struct Manifest {
    issuer: String,
    audience: String,
    algs: BTreeMap<String, Entry>,
}

/// CPU time of the whole process (every thread), in nanoseconds.
fn cpu_ns() -> u128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128
}

/// Runs `verify` in growing batches for about `seconds` of wall time; returns
/// (CPU ns/op, wall ns/op, ops). CPU time is the figure that counts.
fn timed_run(verify: &dyn Fn(&str) -> bool, token: &str, seconds: f64) -> (f64, f64, u64) {
    let budget = Duration::from_secs_f64(seconds);
    let (mut batch, mut done) = (1u64, 0u64);
    let cpu0 = cpu_ns();
    let start = Instant::now();
    let mut elapsed = Duration::ZERO;
    while elapsed < budget {
        for _ in 0..batch {
            assert!(verify(token), "good token rejected while timing");
        }
        done += batch;
        elapsed = start.elapsed();
        if elapsed < Duration::from_millis(5) {
            batch *= 2;
        }
    }
    let cpu = (cpu_ns() - cpu0) as f64 / done as f64;
    (cpu, elapsed.as_nanos() as f64 / done as f64, done)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn algorithm(alg: &str) -> Algorithm {
    match alg {
        "HS256" => Algorithm::HS256,
        "RS256" => Algorithm::RS256,
        "PS256" => Algorithm::PS256,
        "ES256" => Algorithm::ES256,
        _ => Algorithm::EdDSA,
    }
}

fn decoding_key(dir: &Path, alg: &str, e: &Entry) -> Result<DecodingKey, String> {
    if alg == "HS256" {
        let secret = e.secret_b64url.as_deref().ok_or("no secret")?;
        // base64url without padding -> the raw secret bytes
        let padded = format!("{}{}", secret, "=".repeat((4 - secret.len() % 4) % 4));
        let std = padded.replace('-', "+").replace('_', "/");
        return DecodingKey::from_base64_secret(&std).map_err(|e| e.to_string());
    }
    let file = e.public_pem_file.as_deref().ok_or("no PEM file")?;
    let pem = std::fs::read(dir.join(file)).map_err(|e| e.to_string())?;
    match alg {
        "RS256" | "PS256" => DecodingKey::from_rsa_pem(&pem),
        "ES256" => DecodingKey::from_ec_pem(&pem),
        _ => DecodingKey::from_ed_pem(&pem),
    }
    .map_err(|e| e.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 2 || args.len() > 4 {
        eprintln!("usage: jsonwebtoken-peer TOKENS_DIR [SECONDS [REPEATS]]");
        std::process::exit(2);
    }
    let dir = Path::new(&args[1]);
    let seconds: f64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .filter(|s| *s > 0.0)
        .unwrap_or(1.0);
    let repeats: usize = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .filter(|r| *r > 0)
        .unwrap_or(3);
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest.json"))
            .expect("manifest.json is JSON");

    for alg in ALGS {
        let base =
            json!({"peer": "jsonwebtoken", "language": "Rust", "version": LIB_VERSION, "alg": alg});
        let emit_unavailable = |why: String| {
            let mut v = base.clone();
            v["unavailable"] = Value::from(why);
            println!("{v}");
        };
        let e = &manifest.algs[alg];
        let key = match decoding_key(dir, alg, e) {
            Ok(k) => k,
            Err(why) => {
                emit_unavailable(format!("key setup failed: {why}"));
                continue;
            }
        };
        let mut validation = Validation::new(algorithm(alg));
        validation.set_issuer(&[&manifest.issuer]);
        validation.set_audience(&[&manifest.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let verify = |token: &str| decode::<BenchClaims>(token, &key, &validation).is_ok();

        if let Err(err) = decode::<BenchClaims>(&e.token, &key, &validation) {
            emit_unavailable(format!("good token rejected: {err}"));
            continue;
        }
        if let Some(kind) = NEGATIVES.iter().find(|k| verify(&e.negatives[**k])) {
            emit_unavailable(format!("{kind} token accepted"));
            continue;
        }
        timed_run(&verify, &e.token, seconds / 10.0); // warm-up
        let runs: Vec<(f64, f64, u64)> = (0..repeats)
            .map(|_| timed_run(&verify, &e.token, seconds))
            .collect();
        let mut sorted: Vec<f64> = runs.iter().map(|r| r.0).collect();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = sorted[(repeats - 1) / 2];
        let chosen = runs.iter().find(|r| r.0 == median).unwrap();
        let mut v = base.clone();
        v["ns_per_op"] = Value::from(round1(median));
        v["wall_ns_per_op"] = Value::from(round1(chosen.1));
        v["ops"] = Value::from(chosen.2);
        v["runs_ns"] = Value::from(runs.iter().map(|r| round1(r.0)).collect::<Vec<_>>());
        v["checks"] = Value::from("ok");
        v["note"] = Value::from(if alg == "HS256" {
            "aws_lc_rs backend; decode() sets up the HMAC key on every call (no prepared-key API)"
        } else {
            "aws_lc_rs backend; decode() re-parses the public key bytes on every call (no prepared-key API)"
        });
        println!("{v}");
    }
}
