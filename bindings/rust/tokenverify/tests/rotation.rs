//! One verifier shared by several threads while its remote key set rotates:
//! a JWK set served over HTTP from this test goes {A} -> {A, B} -> {B}.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use tokenverify::{ErrorKind, Verifier};

const THREADS: usize = 4;

fn remote_config(url: &str) -> String {
    format!(
        r#"{{"providers":[{{"name":"remote","issuer":"https://issuer.test","audiences":["api"],"algorithms":["ES256"],
            "jwks":{{"remote":{{"url":"{url}","initialFetchWait":"5s","requireInitialKeys":true,
              "cacheDuration":"200ms","useCacheHeaders":false,"refreshAhead":"0s",
              "unknownKidCooldown":"10ms","unknownKidWait":"5s"}}}}}}]}}"#
    )
}

/// Runs `f(thread, i)` on THREADS threads for `iterations` each (and at most `limit`).
fn on_threads(iterations: usize, limit: Duration, f: impl Fn(usize, usize) + Sync) {
    let deadline = Instant::now() + limit;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let f = &f;
            s.spawn(move || {
                for i in 0..iterations {
                    if Instant::now() > deadline {
                        break;
                    }
                    f(t, i);
                }
            });
        }
    });
}

#[test]
fn concurrent_verification_while_the_remote_key_set_rotates() {
    let a = EcKey::new("key-a", 11);
    let b = EcKey::new("key-b", 22);
    let server = JwksServer::start(jwks(&[&a]));
    let v = Verifier::new(&remote_config(&server.url)).unwrap();
    let token_a = a.sign(&claims("alice"));
    let token_b = b.sign(&claims("bob"));

    // Phase 1, {A}: every A token verifies.
    let ok = AtomicUsize::new(0);
    on_threads(300, Duration::from_secs(20), |_, _| {
        let c = v.verify(token_a.as_bytes()).unwrap_or_else(|e| panic!("phase 1: {e}"));
        assert_eq!(c.get_str("sub").unwrap(), "alice");
        ok.fetch_add(1, Ordering::Relaxed);
    });
    assert!(ok.load(Ordering::Relaxed) > 0);

    // Phase 2, {A, B}: both verify. B's unknown kid asks for an early refresh,
    // and the verification waits for it (unknownKidWait).
    server.set(jwks(&[&a, &b]));
    on_threads(300, Duration::from_secs(20), |t, i| {
        let (token, sub) = if (t + i) % 2 == 0 { (&token_a, "alice") } else { (&token_b, "bob") };
        let c = v.verify(token.as_bytes()).unwrap_or_else(|e| panic!("phase 2, {sub}: {e}"));
        assert_eq!(c.get_str("sub").unwrap(), sub);
        assert_eq!(c.provider(), "remote");
    });

    // Phase 3, {B}: B keeps verifying; A verifies until the next refresh lands
    // (cacheDuration), then is refused with exactly TV_ERR_KID_NOT_FOUND.
    server.set(jwks(&[&b]));
    let refused = AtomicUsize::new(0);
    let start = Instant::now();
    while refused.load(Ordering::SeqCst) == 0 {
        assert!(start.elapsed() < Duration::from_secs(15), "key A was never removed");
        on_threads(50, Duration::from_secs(10), |_, _| {
            v.verify_only(token_b.as_bytes()).unwrap_or_else(|e| panic!("phase 3, bob: {e}"));
            match v.verify_only(token_a.as_bytes()) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::KidNotFound => {
                    refused.fetch_add(1, Ordering::SeqCst);
                }
                Err(e) => panic!("phase 3, alice: unexpected {e}"),
            }
        });
    }
    // From now on, on every thread: A refused, B accepted.
    on_threads(100, Duration::from_secs(20), |_, _| {
        let err = v.verify(token_a.as_bytes()).unwrap_err();
        assert_eq!((err.kind(), err.code(), err.name()), (ErrorKind::KidNotFound, 500, "TV_ERR_KID_NOT_FOUND"));
        assert_eq!(v.verify(token_b.as_bytes()).unwrap().get_str("sub").unwrap(), "bob");
    });

    let stats: serde_json::Value = serde_json::from_str(&v.stats_with_keys().unwrap()).unwrap();
    let provider = &stats["providers"][0];
    assert_eq!(provider["keys"].as_array().unwrap().len(), 1, "{provider}");
    assert_eq!(provider["keys"][0]["kid"], "key-b");
    assert!(server.requests.load(Ordering::SeqCst) >= 3);
    v.close();
}

/// Key-set events reach a Rust closure from the engine's refresher thread.
#[test]
fn key_set_events_reach_the_callback() {
    use std::sync::{Arc, Mutex};
    let a = EcKey::new("key-a", 11);
    let server = JwksServer::start(jwks(&[&a]));
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let options = tokenverify::Options::new().on_event(move |e| {
        sink.lock().unwrap().push((e.kind, e.provider.to_string(), e.key_count, e.http_status));
    });
    let v = Verifier::with_options(&remote_config(&server.url), options).unwrap();
    v.verify_only(a.sign(&claims("alice")).as_bytes()).unwrap();
    // The event may come a moment after the key set it announces is served.
    let start = Instant::now();
    while events.lock().unwrap().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(10), "no key-set event");
        std::thread::sleep(Duration::from_millis(5));
    }
    let events = events.lock().unwrap();
    assert_eq!(events[0], (tokenverify::EventKind::KeysUpdated, "remote".to_string(), 1, 200));
}
