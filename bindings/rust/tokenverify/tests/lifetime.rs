//! Lifetime: close is idempotent, calls after it are a clear error, close
//! never races with calls in flight, and claims outlive their verifier.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use tokenverify::{ErrorClass, ErrorKind, Header, Request, Verifier};

#[test]
fn close_twice_and_use_after_close() {
    let v = Verifier::new(&kgateway_config()).unwrap();
    let token = kgateway_token();
    let claims = v.verify(token.as_bytes()).unwrap();
    assert!(!v.is_closed());
    v.close();
    v.close();
    assert!(v.is_closed());
    let err = v.verify(token.as_bytes()).unwrap_err();
    assert!(err.is_closed(), "{err}");
    assert_eq!((err.kind(), err.class(), err.code()), (ErrorKind::InvalidArgument, ErrorClass::Misuse, 900));
    assert_eq!(
        err.to_string(),
        "TV_ERR_INVALID_ARGUMENT: invalid argument (NULL pointer or bad length): verifier is closed"
    );
    assert!(v.verify_only(token.as_bytes()).unwrap_err().is_closed());
    assert!(v.verify_batch(&[token.as_str()], 1).unwrap_err().is_closed());
    assert!(v.authenticate(&Request::default()).unwrap_err().is_closed());
    assert!(v.revoke("j", 1).unwrap_err().is_closed());
    assert!(v.revoke_subject("s", 1).unwrap_err().is_closed());
    assert!(v.stats().unwrap_err().is_closed());
    assert!(v.as_ptr().is_none());
    // Claims do not depend on the verifier.
    assert_eq!(claims.get_str("sub").unwrap(), "alice");
    drop(v); // after close: nothing left to free
    assert_eq!(claims.get_str("team").unwrap(), "dev");
}

#[test]
fn drop_frees_what_was_not_closed() {
    for _ in 0..50 {
        let v = Verifier::new(&kgateway_config()).unwrap();
        let claims = v.verify(kgateway_token().as_bytes()).unwrap();
        let d = v.authenticate(&Request { headers: &[Header::new("x", "y")], ..Request::default() }).unwrap();
        drop(v);
        drop(d);
        drop(claims);
    }
}

/// Threads verify while another closes the shared verifier: every call either
/// completes normally (Ok) or reports the closed verifier; none crashes, and
/// the verifier is freed once, by whoever finishes last.
#[test]
fn close_while_threads_verify() {
    for round in 0..20 {
        let v = Arc::new(Verifier::new(&kgateway_config()).unwrap());
        let token = kgateway_token();
        let (ok, closed) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let started = AtomicBool::new(false);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    let deadline = Instant::now() + Duration::from_secs(5);
                    loop {
                        started.store(true, Ordering::SeqCst);
                        match v.verify(token.as_bytes()) {
                            Ok(c) => {
                                assert_eq!(c.get_str("sub").unwrap(), "alice");
                                ok.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(e) => {
                                assert!(e.is_closed(), "unexpected {e}");
                                closed.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                        }
                        assert!(Instant::now() < deadline, "close never took effect");
                    }
                });
            }
            while !started.load(Ordering::SeqCst) {
                std::hint::spin_loop();
            }
            std::thread::sleep(Duration::from_micros(200 * (round % 5)));
            v.close();
        });
        assert_eq!(closed.load(Ordering::Relaxed), 4);
        let _ = ok.load(Ordering::Relaxed);
    }
}
