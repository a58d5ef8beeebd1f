//! What the integration tests share: the repository's examples, an ES256
//! signer (p256), and a tiny HTTP/1.1 server that serves a JWK set.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};

pub fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../..")).canonicalize().unwrap()
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// examples/kgateway/config.json with its key-set file made absolute (the tests
/// run from the package directory, the document names a path from the root).
pub fn kgateway_config() -> String {
    read("examples/kgateway/config.json").replace(
        "\"examples/kgateway/jwks.json\"",
        &format!("{:?}", repo_root().join("examples/kgateway/jwks.json").display().to_string()),
    )
}

pub fn kgateway_token() -> String {
    read("examples/kgateway/token.jwt").trim().to_string()
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

pub fn b64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// An ES256 key with a kid, made from a fixed seed (no randomness needed).
pub struct EcKey {
    pub kid: String,
    key: SigningKey,
}

impl EcKey {
    pub fn new(kid: &str, seed: u8) -> EcKey {
        let mut secret = [0u8; 32];
        secret[0] = 1;
        secret[31] = seed;
        EcKey { kid: kid.to_string(), key: SigningKey::from_bytes(&secret.into()).unwrap() }
    }

    /// The public JWK, as a JSON object.
    pub fn jwk(&self) -> String {
        let point = self.key.verifying_key().to_encoded_point(false);
        format!(
            r#"{{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"{}","x":"{}","y":"{}"}}"#,
            self.kid,
            b64url(point.x().unwrap()),
            b64url(point.y().unwrap())
        )
    }

    /// A compact JWS of `payload` (JSON text) with this key's kid.
    pub fn sign(&self, payload: &str) -> String {
        self.sign_with_header(&format!(r#"{{"alg":"ES256","typ":"JWT","kid":"{}"}}"#, self.kid), payload)
    }

    pub fn sign_with_header(&self, header: &str, payload: &str) -> String {
        let input = format!("{}.{}", b64url(header.as_bytes()), b64url(payload.as_bytes()));
        let sig: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", b64url(&sig.to_bytes()))
    }
}

pub fn jwks(keys: &[&EcKey]) -> String {
    format!(r#"{{"keys":[{}]}}"#, keys.iter().map(|k| k.jwk()).collect::<Vec<_>>().join(","))
}

/// Standard claims for issuer "https://issuer.test" and audience "api", valid for an hour.
pub fn claims(sub: &str) -> String {
    let now = now();
    format!(
        r#"{{"iss":"https://issuer.test","aud":"api","sub":"{sub}","iat":{now},"exp":{},"team":"dev"}}"#,
        now + 3600
    )
}

/// A verifier configuration with one ES256 provider whose keys are inline.
pub fn inline_config(keys: &[&EcKey]) -> String {
    format!(
        r#"{{"providers":[{{"name":"inline","issuer":"https://issuer.test","audiences":["api"],"algorithms":["ES256"],"jwks":{{"local":{{"inline":{}}}}}}}]}}"#,
        jwks(keys)
    )
}

/// A JWK set served over HTTP/1.1 on 127.0.0.1 (a free port), from a thread;
/// `set` replaces the document. Each response closes its connection.
pub struct JwksServer {
    pub url: String,
    body: Arc<Mutex<String>>,
    pub requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    port: u16,
    thread: Option<JoinHandle<()>>,
}

impl JwksServer {
    pub fn start(body: String) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let body = Arc::new(Mutex::new(body));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (b, r, s) = (body.clone(), requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                r.fetch_add(1, Ordering::SeqCst);
                let doc = b.lock().unwrap().clone();
                let _ = serve(conn, &doc);
            }
        });
        JwksServer {
            url: format!("http://127.0.0.1:{port}/jwks.json"),
            body,
            requests,
            stop,
            port,
            thread: Some(thread),
        }
    }

    pub fn set(&self, body: String) {
        *self.body.lock().unwrap() = body;
    }
}

fn serve(conn: TcpStream, doc: &str) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut conn = conn;
    write!(
        conn,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{doc}",
        doc.len()
    )?;
    conn.flush()
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wake the accept loop
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
