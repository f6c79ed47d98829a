import * as os from 'os';
import * as v8 from 'v8';
import * as vm from 'vm';

/*
 * KEYSLOT_TRACE=1: one stderr line per phase of a batch run (elapsed, CPU, RSS, heap), for tuning.
 * KEYSLOT_TRACE=gc collects garbage before each line, so the heap figure is what is alive;
 * KEYSLOT_TRACE_SNAPSHOT=PHASE also writes a heap snapshot at that phase to the temp folder.
 */
const mode = process.env.KEYSLOT_TRACE;
const t0 = Date.now();
const c0 = process.cpuUsage();
let gc: (() => void) | undefined;

export function trace(phase: string): void {
  if (!mode) return;
  if (mode === 'gc' && !gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc?.();
  if (process.env.KEYSLOT_TRACE_SNAPSHOT === phase) v8.writeHeapSnapshot(`${os.tmpdir()}/keyslot-${phase}.heapsnapshot`);
  const c = process.cpuUsage(c0);
  const m = process.memoryUsage();
  const mb = (n: number) => `${Math.round(n / 1048576)}MB`;
  process.stderr.write(`[trace] ${phase.padEnd(10)} ${((Date.now() - t0) / 1000).toFixed(2)}s cpu ${((c.user + c.system) / 1e6).toFixed(2)}s rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})\n`);
}
