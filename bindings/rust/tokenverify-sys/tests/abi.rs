//! The hand-kept declarations against the library and the C header.

use std::ffi::CStr;
use std::mem::{offset_of, size_of};
use tokenverify_sys::*;

#[test]
fn status_table_matches_the_loaded_library() {
    assert_eq!(STATUS_TABLE[0], (TV_OK, "TV_OK", "success"));
    for &(code, name, message) in STATUS_TABLE {
        let lib_name = unsafe { CStr::from_ptr(tv_status_name(code)) }.to_str().unwrap();
        let lib_message = unsafe { CStr::from_ptr(tv_status_message(code)) }.to_str().unwrap();
        assert_eq!((code, name, message), (code, lib_name, lib_message));
    }
    assert_eq!(TV_ERR_SIGNATURE_INVALID, 300);
    assert_eq!(TV_ERR_INVALID_ARGUMENT, 900);
}

#[test]
fn version_matches_the_header() {
    assert_eq!(unsafe { tv_version_number() }, TV_VERSION_NUMBER);
}

/// Sizes and offsets a C11 compiler gives the header's structs on LP64 targets.
#[test]
#[cfg(target_pointer_width = "64")]
fn struct_layouts_match_the_header() {
    assert_eq!(size_of::<tv_diag>(), 516);
    assert_eq!(offset_of!(tv_diag, field), 4);
    assert_eq!(offset_of!(tv_diag, message), 132);
    assert_eq!(size_of::<tv_event>(), 48);
    assert_eq!(offset_of!(tv_event, http_status), 32);
    assert_eq!(size_of::<tv_header>(), 32);
    assert_eq!(size_of::<tv_request>(), 80);
    assert_eq!(offset_of!(tv_request, body_len), 72);
    assert_eq!(size_of::<tv_revocation>(), 48);
    assert_eq!(size_of::<tv_credential>(), 56);
    assert_eq!(offset_of!(tv_credential, method), 16);
    assert_eq!(size_of::<tv_verifier_options>(), 40);
}

/// Every exported symbol of the library (tests/abi/exported_symbols.txt) is
/// declared here, and nothing else: a new ABI function shows up as a failure.
#[test]
fn every_exported_function_is_declared() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../..");
    let exported = std::fs::read_to_string(format!("{root}/tests/abi/exported_symbols.txt")).unwrap();
    let mut exported: Vec<&str> = exported.lines().map(str::trim).filter(|l| l.starts_with("tv_")).collect();
    let source = include_str!("../src/lib.rs");
    let mut declared: Vec<&str> = source
        .split("pub fn ")
        .skip(1)
        .map(|rest| rest.split('(').next().unwrap().trim())
        .filter(|name| name.starts_with("tv_"))
        .collect();
    exported.sort_unstable();
    declared.sort_unstable();
    assert_eq!(declared, exported);
}

/// The library this process loaded is the one of TOKENVERIFY_LIB_DIR (rpath), not another copy.
#[test]
#[cfg(target_os = "linux")]
fn loads_the_library_it_was_linked_against() {
    let _ = unsafe { tv_version_number() };
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let loaded: Vec<&str> =
        maps.lines().filter_map(|l| l.split_whitespace().nth(5)).filter(|p| p.contains("libtokenverify")).collect();
    assert!(!loaded.is_empty());
    let dir = std::path::Path::new(LINKED_LIB_DIR).canonicalize().unwrap();
    for path in loaded {
        let path = std::path::Path::new(path).canonicalize().unwrap();
        assert!(path.starts_with(&dir), "{} is not in {}", path.display(), dir.display());
    }
}
