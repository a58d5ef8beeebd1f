//! The status table, as typed errors.

use tokenverify::{sys, Error, ErrorClass, ErrorKind, Verifier};

/// Every status of core/include/tokenverify/status.def maps to an ErrorKind with
/// its code, name and message (as the loaded library spells them), and its class
/// follows its range.
#[test]
fn every_status_maps_to_a_typed_error() {
    let def =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../core/include/tokenverify/status.def"))
            .unwrap();
    let mut seen = 0;
    for line in def.lines().filter(|l| l.starts_with("TV_STATUS(")) {
        let inner = &line["TV_STATUS(".len()..line.len() - 1];
        let mut parts = inner.splitn(3, ',');
        let symbol = parts.next().unwrap().trim();
        let code: i32 = parts.next().unwrap().trim().parse().unwrap();
        if code == 0 {
            continue;
        }
        seen += 1;
        let err = Error::from_code(code);
        assert_eq!(err.code(), code);
        assert_eq!(err.name(), format!("TV_{symbol}"));
        assert_eq!(err.name(), tokenverify::status_name(code));
        assert_eq!(err.message(), tokenverify::status_message(code));
        assert_ne!(err.kind(), ErrorKind::Unknown, "{symbol}");
        assert_eq!(err.kind().code(), code);
        assert_eq!(ErrorKind::from_code(code), err.kind());
        let class = match code / 100 {
            1 => ErrorClass::Malformed,
            2 => ErrorClass::Header,
            3 => ErrorClass::Signature,
            4 => ErrorClass::Claims,
            5 => ErrorClass::Keys,
            6 => ErrorClass::Request,
            9 => ErrorClass::Misuse,
            _ => panic!("{symbol}: {code} is outside every range"),
        };
        assert_eq!(err.class(), class, "{symbol}");
        assert_eq!(err.kind().class(), class);
        assert!(err.to_string().starts_with(&format!("TV_{symbol}: ")));
    }
    assert_eq!(seen, ErrorKind::ALL.len());
    assert_eq!(seen, sys::STATUS_TABLE.len() - 1);
}

#[test]
fn named_kinds() {
    assert_eq!(ErrorKind::SignatureInvalid.code(), 300);
    assert_eq!(ErrorKind::SignatureInvalid.name(), "TV_ERR_SIGNATURE_INVALID");
    assert_eq!(ErrorKind::Expired.code(), 400);
    assert_eq!(ErrorKind::KidNotFound.code(), 500);
    assert_eq!(ErrorKind::Config.code(), 901);
    let unknown = Error::from_code(777);
    assert_eq!(
        (unknown.kind(), unknown.class(), unknown.name()),
        (ErrorKind::Unknown, ErrorClass::Unknown, "TV_UNKNOWN_STATUS")
    );
}

#[test]
fn configuration_error_names_the_field() {
    let err = Verifier::new(r#"{"providers":[{"name":"p","isser":"x","jwks":{"local":{"inline":{"keys":[]}}}}]}"#)
        .unwrap_err();
    assert_eq!((err.code(), err.name(), err.kind()), (901, "TV_ERR_CONFIG", ErrorKind::Config));
    assert_eq!(err.class(), ErrorClass::Misuse);
    assert_eq!(err.field(), Some("providers[0].isser"));
    assert!(err.detail().unwrap().contains("isser"), "{err}");
    assert!(
        err.to_string().starts_with("TV_ERR_CONFIG: configuration document is invalid: providers[0].isser: "),
        "{err}"
    );
    let err = Verifier::new("{not json").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    let err = Verifier::from_file("/nonexistent/tokenverify.json").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
    assert!(boxed.to_string().contains("/nonexistent/tokenverify.json"));
}
