import * as v8 from 'v8';
import * as vm from 'vm';

/*
 * Garbage collection on purpose. A full one after a cold scan: the facts of every parsed file
 * (most of the heap) are dead, but V8 only collects old space when it runs out of room, and
 * meanwhile the rules and the output grow the heap on top of them: on a 100,000-file tree that
 * is several hundred MB of peak memory for nothing. A young-generation one when the language
 * server goes idle (lsp/server.ts). `gc` is exposed for a context made after the flag is set; if
 * that ever fails the run goes on without it.
 */
let gc: ((opts?: { type: 'minor' | 'major' }) => void) | null | undefined;

export function collectGarbage(): void {
  exposed()?.();
}

/** A scavenge of the young generation only (a few ms), for idle moments. */
export function collectYoungGarbage(): void {
  exposed()?.({ type: 'minor' });
}

function exposed(): ((opts?: { type: 'minor' | 'major' }) => void) | null {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const f = vm.runInNewContext('gc') as unknown;
      gc = typeof f === 'function' ? (f as () => void) : null;
    } catch {
      gc = null;
    }
  }
  return gc;
}
