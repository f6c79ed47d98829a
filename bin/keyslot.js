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
require(bundle).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
