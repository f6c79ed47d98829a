'use strict';
// Preloaded with `node --require` into a measured process: at exit it writes its own
// process.resourceUsage() (CPU of all its threads, peak RSS) to the file named by
// KEYSLOT_BENCH_RUSAGE. Works without /usr/bin/time and measures only the process itself.
const fs = require('fs');
const out = process.env.KEYSLOT_BENCH_RUSAGE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(out, JSON.stringify({ userMicros: u.userCPUTime, systemMicros: u.systemCPUTime, maxRssKb: u.maxRSS }));
  });
}
