//! Verification: the kgateway example, tampered tokens, a status of every
//! class, the lazy claims view, batch, revocation, stats.

mod common;

use common::*;
use tokenverify::{Claims, ClaimsRef, ErrorClass, ErrorKind, Verifier};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn types_are_send_and_sync() {
    assert_send_sync::<Verifier>();
    assert_send_sync::<Claims>();
    assert_send_sync::<ClaimsRef>();
    assert_send_sync::<tokenverify::Decision>();
    assert_send_sync::<tokenverify::Error>();
}

#[test]
fn kgateway_example_verifies() {
    let v = Verifier::new(&kgateway_config()).unwrap();
    let claims = v.verify(kgateway_token().as_bytes()).unwrap();
    assert_eq!(claims.get_str("sub").unwrap(), "alice");
    assert_eq!(claims.get_str("team").unwrap(), "dev");
    assert_eq!(claims.get_i64("exp").unwrap(), 2074274884);
    assert_eq!(claims.get_raw("llms").unwrap(), r#"{"openai":["gpt-3.5-turbo"]}"#);
    assert_eq!(claims.get_raw("sub").unwrap(), r#""alice""#);
    assert_eq!(claims.provider(), "kgateway");
    assert!(claims.header_json().contains(r#""kid":"solo-public-key-001""#));
    assert!(claims.json().starts_with(r#"{"iss":"solo.io""#));
    assert_eq!(claims.get_str("nope").unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(claims.get_i64("sub").unwrap_err().kind(), ErrorKind::WrongType);
    assert_eq!(claims.get_str("exp").unwrap_err().code(), 904);
    assert!(claims.contains("org") && !claims.contains("nope"));
    let map = claims.to_map().unwrap();
    assert_eq!(map["llms"]["openai"][0], "gpt-3.5-turbo");
    assert_eq!(map["exp"], 2074274884);
    assert_eq!(claims.header_map().unwrap()["alg"], "RS256");
    v.verify_only(kgateway_token().as_bytes()).unwrap();

    // Claims are independent of the verifier and of each other.
    let copy = claims.clone();
    drop(v);
    drop(claims);
    assert_eq!(copy.get_str("sub").unwrap(), "alice");
    assert!(format!("{copy:?}").contains("kgateway"));
}

#[test]
fn tampered_token_is_a_bad_signature() {
    let v = Verifier::new(&kgateway_config()).unwrap();
    let token = kgateway_token();
    let mut forged = token.clone().into_bytes();
    let i = forged.len() - 10;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let err = v.verify(&forged).unwrap_err();
    assert_eq!((err.code(), err.name()), (300, "TV_ERR_SIGNATURE_INVALID"));
    assert_eq!((err.kind(), err.class()), (ErrorKind::SignatureInvalid, ErrorClass::Signature));
    assert_eq!(v.verify_only(&forged).unwrap_err().kind(), ErrorKind::SignatureInvalid);
    // The signature alone: the good token passes, the forged one does not.
    v.verify_signature(token.as_bytes()).unwrap();
    assert_eq!(v.verify_signature(&forged).unwrap_err().kind(), ErrorKind::SignatureInvalid);

    // A payload changed under the same signature.
    let parts: Vec<&str> = token.split('.').collect();
    let payload = r#"{"iss":"solo.io","org":"solo.io","sub":"mallory","team":"dev","exp":2074274884}"#;
    let swapped = format!("{}.{}.{}", parts[0], b64url(payload.as_bytes()), parts[2]);
    assert_eq!(v.verify(swapped.as_bytes()).unwrap_err().kind(), ErrorKind::SignatureInvalid);
}

/// One status of every class of verification (6xx: tests/authenticate.rs; 9xx: errors.rs and here).
#[test]
fn one_status_of_every_class() {
    let key = EcKey::new("k1", 1);
    let v = Verifier::new(&inline_config(&[&key])).unwrap();
    let good = key.sign(&claims("alice"));
    assert_eq!(v.verify(good.as_bytes()).unwrap().get_str("sub").unwrap(), "alice");

    let expect = |token: &[u8], kind: ErrorKind, class: ErrorClass| {
        let err = v.verify(token).unwrap_err();
        assert_eq!((err.kind(), err.class(), err.code()), (kind, class, kind.code()), "{err}");
    };
    // 1xx
    expect(b"not-a-token", ErrorKind::MalformedToken, ErrorClass::Malformed);
    expect(b"a.b!.c", ErrorKind::BadBase64url, ErrorClass::Malformed);
    // 2xx
    let none = format!("{}.{}.c2ln", b64url(br#"{"alg":"none"}"#), b64url(claims("alice").as_bytes()));
    expect(none.as_bytes(), ErrorKind::AlgNone, ErrorClass::Header);
    let hs = key.sign_with_header(r#"{"alg":"HS256","kid":"k1"}"#, &claims("alice"));
    expect(hs.as_bytes(), ErrorKind::AlgNotAllowed, ErrorClass::Header);
    // 3xx
    let mut forged = good.clone().into_bytes();
    let i = forged.len() - 5;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    expect(&forged, ErrorKind::SignatureInvalid, ErrorClass::Signature);
    // 4xx (only after the signature verified)
    let t = now();
    let expired = key.sign(&format!(r#"{{"iss":"https://issuer.test","aud":"api","sub":"a","exp":{}}}"#, t - 3600));
    expect(expired.as_bytes(), ErrorKind::Expired, ErrorClass::Claims);
    let wrong_aud = key.sign(&format!(r#"{{"iss":"https://issuer.test","aud":"other","sub":"a","exp":{}}}"#, t + 600));
    expect(wrong_aud.as_bytes(), ErrorKind::AudienceMismatch, ErrorClass::Claims);
    let wrong_iss = key.sign(&format!(r#"{{"iss":"https://evil.test","aud":"api","sub":"a","exp":{}}}"#, t + 600));
    expect(wrong_iss.as_bytes(), ErrorKind::IssuerMismatch, ErrorClass::Claims);
    // 5xx
    let other = EcKey::new("k2", 2);
    expect(other.sign(&claims("alice")).as_bytes(), ErrorKind::KidNotFound, ErrorClass::Keys);
    // 9xx: a token of more than limits.maxTokenBytes is 1xx; an empty token is malformed.
    let err = v.verify(b"").unwrap_err();
    assert_eq!(err.class(), ErrorClass::Malformed, "{err}");
}

#[test]
fn inspect_unverified_and_versions() {
    let claims = tokenverify::inspect_unverified(kgateway_token().as_bytes()).unwrap();
    assert_eq!(claims.get_str("sub").unwrap(), "alice");
    assert_eq!(claims.provider(), "");
    assert_eq!(tokenverify::inspect_unverified(b"x").unwrap_err().kind(), ErrorKind::MalformedToken);
    assert_eq!(tokenverify::version_number(), tokenverify::sys::TV_VERSION_NUMBER);
    assert_eq!(tokenverify::version(), "0.2.0");
    assert!(!tokenverify::base64url_implementation().is_empty());
}

#[test]
fn batch_gives_one_result_per_token_in_order() {
    let v = Verifier::new(&kgateway_config()).unwrap();
    let token = kgateway_token();
    let tokens = [token.as_str(), "junk", token.as_str()];
    let results = v.verify_batch(&tokens, 2).unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().get_str("sub").unwrap(), "alice");
    assert_eq!(results[1].as_ref().unwrap_err().kind(), ErrorKind::MalformedToken);
    assert_eq!(results[2].as_ref().unwrap().provider(), "kgateway");
    let only = v.verify_batch_only(&tokens, 0).unwrap();
    assert!(only[0].is_ok() && only[1].is_err() && only[2].is_ok());
    assert!(v.verify_batch::<&str>(&[], 1).unwrap().is_empty());
}

#[test]
fn revocation_by_jti_and_by_subject() {
    let key = EcKey::new("k1", 1);
    let v = Verifier::new(&inline_config(&[&key])).unwrap();
    let t = now();
    let token = key.sign(&format!(
        r#"{{"iss":"https://issuer.test","aud":"api","sub":"bob","jti":"j-1","iat":{},"exp":{}}}"#,
        t - 10,
        t + 600
    ));
    v.verify_only(token.as_bytes()).unwrap();
    v.revoke("j-1", t + 600).unwrap();
    assert_eq!(v.verify(token.as_bytes()).unwrap_err().kind(), ErrorKind::Revoked);
    assert_eq!(v.revoke("", t).unwrap_err().kind(), ErrorKind::InvalidArgument);

    let other = key.sign(&claims("carol"));
    v.verify_only(other.as_bytes()).unwrap();
    v.revoke_subject("carol", t + 1).unwrap();
    assert_eq!(v.verify_only(other.as_bytes()).unwrap_err().kind(), ErrorKind::Revoked);
}

#[test]
fn stats_are_json() {
    let v = Verifier::new(&kgateway_config()).unwrap();
    v.verify_only(kgateway_token().as_bytes()).unwrap();
    let stats: serde_json::Value = serde_json::from_str(&v.stats().unwrap()).unwrap();
    assert_eq!(stats["providers"][0]["name"], "kgateway");
    let keys: serde_json::Value = serde_json::from_str(&v.stats_with_keys().unwrap()).unwrap();
    assert_eq!(keys["providers"][0]["keys"][0]["kid"], "solo-public-key-001");
}

#[test]
fn publish_revocation_reports_its_failures() {
    use tokenverify::{publish_revocation, Revocation};
    let err =
        publish_revocation(&kgateway_config(), Revocation::Token { jti: "j-1", exp: now() + 60 }, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    assert!(err.detail().is_some() || err.field().is_some(), "{err:?}");
    // Nothing listens on port 1: Redis is unreachable.
    let base = kgateway_config();
    let config = format!(
        r#"{}, "revocation": {{"redis": {{"url": "redis://127.0.0.1:1/0", "connectTimeout": "200ms"}}}}}}"#,
        base.trim_end().strip_suffix('}').unwrap()
    );
    let err =
        publish_revocation(&config, Revocation::Subject { sub: "alice", before: now() }, Some("solo.io")).unwrap_err();
    assert_eq!((err.kind(), err.class()), (ErrorKind::Io, ErrorClass::Misuse), "{err}");
}
