//! Request authentication (tv_authenticate) through Verifier::authenticate.

mod common;

use common::*;
use tokenverify::{AuthMethod, ErrorClass, ErrorKind, Header, Request, Verifier};

/// examples/requests/ingress.json (Basic, bearer, JWT, API key, HMAC rules on
/// host example.com) with its key-set path made absolute.
fn ingress() -> Verifier {
    let config = read("examples/requests/ingress.json").replace(
        "\"examples/kgateway/jwks.json\"",
        &format!("{:?}", repo_root().join("examples/kgateway/jwks.json").display().to_string()),
    );
    Verifier::new(&config).unwrap()
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", {
        let s = b64url(format!("{user}:{password}").as_bytes()).replace('-', "+").replace('_', "/");
        let pad = (4 - s.len() % 4) % 4;
        s + &"=".repeat(pad)
    })
}

#[test]
fn basic_rule_allows_and_refuses() {
    let v = ingress();
    let auth = basic("default", "default123");
    let headers = [Header::new("Authorization", &auth)];
    let d =
        v.authenticate(&Request { host: "example.com", target: "/", headers: &headers, ..Request::default() }).unwrap();
    assert!(d.allowed(), "{}", d.json());
    assert_eq!((d.http_status(), d.method(), d.principal()), (200, AuthMethod::Basic, Some("default")));
    assert!(d.error().is_none() && d.result().is_ok());

    let wrong = basic("default", "nope");
    let headers = [Header::new("Authorization", &wrong)];
    let d =
        v.authenticate(&Request { host: "example.com", target: "/", headers: &headers, ..Request::default() }).unwrap();
    let err = d.error().unwrap();
    assert_eq!((err.kind(), err.class(), err.code()), (ErrorKind::BadCredentials, ErrorClass::Request, 602));
    assert_eq!(d.http_status(), 401);
    assert!(d.www_authenticate().unwrap().starts_with("Basic realm="), "{:?}", d.www_authenticate());
    assert_eq!(d.principal(), None);

    // No credential at all: 6xx too.
    let d = v.authenticate(&Request { host: "example.com", ..Request::new("GET", "/keys") }).unwrap();
    assert_eq!(d.error().unwrap().kind(), ErrorKind::CredentialMissing);
    // A host no rule matches: 403.
    let d = v.authenticate(&Request { host: "other.test", ..Request::default() }).unwrap();
    assert_eq!((d.error().unwrap().kind(), d.http_status()), (ErrorKind::NoMatchingRule, 403));
}

#[test]
fn api_key_rule() {
    let v = ingress();
    let headers = [Header::new("X-Api-Key", b"acme-key-1")];
    let d = v
        .authenticate(&Request { host: "example.com", target: "/keys/x", headers: &headers, ..Request::default() })
        .unwrap();
    assert!(d.allowed(), "{}", d.json());
    assert_eq!((d.method(), d.principal()), (AuthMethod::ApiKey, Some("acme")));
    assert_eq!(d.to_map().unwrap()["rule"], "site");

    let headers = [Header::new("X-Api-Key", "wrong")];
    let d = v
        .authenticate(&Request { host: "example.com", target: "/keys/x", headers: &headers, ..Request::default() })
        .unwrap();
    assert_eq!((d.error().unwrap().kind(), d.http_status()), (ErrorKind::UnknownKey, 401));
}

#[test]
fn jwt_rule_with_claims_and_headers() {
    let v = ingress();
    let bearer = format!("Bearer {}", kgateway_token());
    let headers = [Header::new("x-jwt", &bearer), Header::new("x-team", "spoofed")];
    let d = v
        .authenticate(&Request { host: "example.com", target: "/jwt/a", headers: &headers, ..Request::default() })
        .unwrap();
    assert!(d.allowed(), "{}", d.json());
    assert_eq!((d.method(), d.principal()), (AuthMethod::Jwt, Some("alice")));
    assert_eq!(d.set_headers().collect::<Vec<_>>(), vec![("x-team", "dev")]);
    let removed: Vec<&str> = d.remove_headers().collect();
    assert!(removed.contains(&"x-team") && removed.contains(&"x-jwt"), "{removed:?}");
    let claims = d.claims().unwrap();
    assert_eq!((claims.get_str("sub").unwrap(), claims.provider()), ("alice", "kgateway"));
    let owned = claims.to_owned();
    drop(d);
    assert_eq!(owned.get_str("team").unwrap(), "dev");

    // A tampered token: 401 with the token's own status.
    let mut forged = kgateway_token().into_bytes();
    let i = forged.len() - 10;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let bearer = [b"Bearer ".as_slice(), &forged].concat();
    let headers = [Header::new("x-jwt", &bearer)];
    let d = v
        .authenticate(&Request { host: "example.com", target: "/jwt", headers: &headers, ..Request::default() })
        .unwrap();
    assert_eq!((d.error().unwrap().kind(), d.http_status()), (ErrorKind::SignatureInvalid, 401));
    assert!(d.claims().is_none());
}

#[test]
fn malformed_request_is_400() {
    let v = ingress();
    let d = v.authenticate(&Request { host: "example.com", ..Request::new("GET", "http://absolute/x") }).unwrap();
    assert_eq!((d.error().unwrap().kind(), d.http_status()), (ErrorKind::MalformedRequest, 400));
}

/// `"validator": true` auths ask the application's callback, on the calling thread.
#[test]
fn validator_callback_decides() {
    use std::sync::{Arc, Mutex};
    let config = r#"{"rules": [{"name": "r", "paths": [
        {"path": "/keys/", "auth": {"type": "apiKey", "apiKey": {"validator": true}}},
        {"path": "/admin/", "auth": {"type": "basic", "basic": {"validator": true}}}]}]}"#;
    // Without a validator, such a configuration is refused.
    assert_eq!(Verifier::new(config).unwrap_err().kind(), ErrorKind::Config);

    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let options = tokenverify::Options::new().validator(move |c| {
        seen.lock().unwrap().push((c.method, c.user.to_vec(), c.password.to_vec(), c.rule.to_string()));
        if c.user == b"boom" {
            panic!("a panicking validator refuses");
        }
        matches!((c.user, c.password), (b"k1", b"") | (b"u", b"p"))
    });
    let v = Verifier::with_options(config, options).unwrap();
    let auth = |target: &str, name: &str, value: &str| {
        let headers = [Header::new(name, value)];
        v.authenticate(&Request { target, headers: &headers, ..Request::default() }).unwrap()
    };
    let d = auth("/keys/a", "X-Api-Key", "k1");
    assert!(d.allowed() && d.method() == AuthMethod::ApiKey, "{}", d.json());
    assert!(!auth("/keys/a", "X-Api-Key", "k2").allowed());
    assert!(auth("/admin/", "Authorization", &basic("u", "p")).allowed());
    let wrong = auth("/admin/", "Authorization", &basic("u", "x"));
    assert_eq!((wrong.http_status(), wrong.error().unwrap().kind()), (401, ErrorKind::BadCredentials));
    let boom = auth("/keys/a", "X-Api-Key", "boom");
    assert_eq!(boom.http_status(), 401);
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 5);
    assert_eq!(calls[0], (AuthMethod::ApiKey, b"k1".to_vec(), vec![], "r".to_string()));
    assert_eq!(calls[2].0, AuthMethod::Basic);
}
