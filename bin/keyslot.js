#!/usr/bin/env node
'use strict';
// The `keyslot` command: runs the bundled CLI built by `npm install` (prepare) or `npm run build`.
const path = require('path');
const fs = require('fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('keyslot: dist/cli.js is missing; run `npm run build` in the keyslot checkout first.\n');
  process.exit(2);
}
// check and map compile each grammar, parse and exit: V8's optimising tier for WASM costs them more
// than it gains (the TypeScript grammars alone keep a core busy for about a second, and exit waits
// for it), so they run the baseline compiler only; on the corpus a cold check takes 13 s instead of 19
if (process.argv[2] === 'check' || process.argv[2] === 'map') require('v8').setFlagsFromString('--liftoff-only');
require(bundle).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
