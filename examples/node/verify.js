// Verifies the kgateway example token with the Node package (run from the repository root).
const fs = require('node:fs');
const { Verifier, TokenVerifyError } = require('../../bindings/node'); // require('tokenverify') once installed

const verifier = new Verifier(fs.readFileSync('examples/kgateway/config.json', 'utf8'));
const token = fs.readFileSync('examples/kgateway/token.jwt', 'utf8').trim();
for (const t of [token, token.slice(0, -4) + 'AAAA']) {
  try {
    const claims = verifier.verify(t);
    console.log(`verified: sub=${claims.getString('sub')} team=${claims.getString('team')} exp=${claims.getInt64('exp')}`);
  } catch (e) {
    if (!(e instanceof TokenVerifyError)) throw e;
    console.log(`refused: ${e.name} (${e.code}) ${e.message}`);
  }
}
verifier.close();
