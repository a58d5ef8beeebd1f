use tokenverify::Verifier;

// Run from the repository root: the configuration names examples/kgateway/jwks.json.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = std::fs::read_to_string("examples/kgateway/config.json")?;
    let token = std::fs::read_to_string("examples/kgateway/token.jwt")?;
    let verifier = Verifier::new(&config)?; // Send + Sync: share it across threads
    let claims = verifier.verify(token.trim().as_bytes())?;
    println!("sub={} team={} exp={}", claims.get_str("sub")?, claims.get_str("team")?, claims.get_i64("exp")?);
    println!("provider={} llms={}", claims.provider(), claims.get_raw("llms")?);

    let mut forged = token.trim().as_bytes().to_vec();
    let i = forged.len() - 10; // a character inside the signature
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    match verifier.verify(&forged) {
        Ok(_) => println!("forged token accepted?!"),
        Err(e) => println!("forged: {} ({}) {}", e.name(), e.code(), e.message()),
    }
    Ok(())
}
