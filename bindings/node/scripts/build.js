'use strict';
// Builds the package: the status table from status.def, then the addon with
// node-gyp (a devDependency from npm), against the library in TOKENVERIFY_LIB_DIR.
//
//   TOKENVERIFY_LIB_DIR=/path/to/build node scripts/build.js      (npm run build)
//
// TOKENVERIFY_LIB_DIR (default: the repository's build/) holds libtokenverify.so and
// generated/include/tokenverify_status.h. The addon gets an rpath to it.
// Node's headers: node-gyp's --nodedir points at the prefix of the running node
// when it has include/node/node_api.h (Debian's /usr: no download needed);
// TOKENVERIFY_NODEDIR overrides; without either, node-gyp fetches them as usual.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = path.resolve(__dirname, '..');
const libDir = path.resolve(process.env.TOKENVERIFY_LIB_DIR || path.join(here, '..', '..', 'build'));
for (const f of ['libtokenverify.so', path.join('generated', 'include', 'tokenverify_status.h')]) {
  if (!fs.existsSync(path.join(libDir, f))) {
    console.error(`build: ${path.join(libDir, f)} is missing; set TOKENVERIFY_LIB_DIR to a tokenverify build directory`);
    process.exit(1);
  }
}

require('./gen-status.js');

function nodeDir() {
  if (process.env.TOKENVERIFY_NODEDIR) return process.env.TOKENVERIFY_NODEDIR;
  const prefix = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

const gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [here] });
const args = [gyp, 'rebuild', '--jobs=1'];
const dir = nodeDir();
if (dir) args.push(`--nodedir=${dir}`);
const r = spawnSync(process.execPath, args, {
  cwd: here,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, TOKENVERIFY_LIB_DIR: libDir },
});
if (r.status !== 0) {
  console.error(`build: node-gyp failed (exit ${r.status ?? r.signal})`);
  process.exit(1);
}
console.log(`build: build/Release/tokenverify.node linked against ${libDir}/libtokenverify.so`);
