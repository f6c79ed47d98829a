import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import type { FileFacts } from '../extract/ir';
import { KEYSLOT_VERSION } from '../protocol';
import type { SourceFile } from './files';
import type { Summary } from './prefilter';

/*
 * What the last index of a folder learned, kept on disk so the language server's next start skips
 * most of the work (issue "The editor on real repositories": first diagnostics ≤ 1 s on a
 * 3,000-file workspace). Two kinds of entries:
 *   - a file's summary for the prefilter (does it name a Redis library, what it imports and
 *     declares), valid while the file's size and modification time are the same: the file is not
 *     even read;
 *   - a parsed file's facts, stored under a hash of its path and text, valid for that text only:
 *     the text is read (the index keeps it), hashed, and not parsed again.
 * The folder's summaries are one file; facts are one file each, so a start reads only the ones it
 * needs and a save writes only new ones. Everything is tied to the build: another keyslot build
 * starts over. A cache that cannot be read or written is left alone: the index is made as without one.
 */

/** Set by the bundle (scripts/build.mjs): a hash of the server's sources. */
declare const KEYSLOT_BUILD_ID: string | undefined;
const BUILD = `${KEYSLOT_VERSION}+${typeof KEYSLOT_BUILD_ID === 'string' ? KEYSLOT_BUILD_ID : 'source'}`;

interface SummaryEntry {
  mtimeMs: number;
  size: number;
  seed: boolean;
  imports: string[];
  declared: string[];
}

interface Stored {
  build: string;
  root: string;
  summaries: Map<string, SummaryEntry>;
}

/**
 * The cache folder: the editor's storage for the workspace (initializationOptions.cacheDir), or
 * KEYSLOT_CACHE_DIR, or the user's cache folder. Sources run without a build id cache only where
 * asked to (tests), so an edited extractor is never answered from an old cache.
 */
export function cacheRoot(configured?: string | null): string | undefined {
  if (configured === null) return undefined;
  const chosen = configured ?? process.env.KEYSLOT_CACHE_DIR;
  if (chosen) return chosen;
  if (typeof KEYSLOT_BUILD_ID !== 'string') return undefined;
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'keyslot');
}

export class FactCache {
  private readonly dir: string;
  private readonly factsDir: string;
  private old = new Map<string, SummaryEntry>();
  private summaries = new Map<string, SummaryEntry>();
  /** fact files this index used or made, by name; new ones still to be written */
  private used = new Set<string>();
  private fresh = new Map<string, FileFacts>();
  /** files read from the cache and files made fresh, for the log */
  hits = { summaries: 0, facts: 0 };

  constructor(
    private readonly root: string,
    cacheDir: string,
  ) {
    this.dir = path.join(cacheDir, crypto.createHash('sha1').update(root).digest('hex').slice(0, 16));
    this.factsDir = path.join(this.dir, 'facts');
    try {
      const stored = v8.deserialize(fs.readFileSync(path.join(this.dir, 'index.bin'))) as Stored;
      if (stored.build === BUILD && stored.root === root && stored.summaries instanceof Map) this.old = stored.summaries;
    } catch {
      // none yet, or unreadable: start empty
    }
  }

  /** A file's summary as the last index made it, if the file has not changed since (by size and time). */
  summary(f: SourceFile): Summary | undefined {
    const st = statOf(f.abs);
    const e = this.old.get(f.rel);
    if (!st || !e || e.mtimeMs !== st.mtimeMs || e.size !== st.size) return undefined;
    this.summaries.set(f.rel, e);
    this.hits.summaries++;
    return { rel: f.rel, language: f.language, seed: e.seed, imports: e.imports, declared: e.declared };
  }

  /** Keeps a summary made from the file on disk (not from an editor's buffer, which the disk may not have). */
  keepSummary(f: SourceFile, s: Summary): void {
    const st = statOf(f.abs);
    if (st) this.summaries.set(f.rel, { mtimeMs: st.mtimeMs, size: st.size, seed: s.seed, imports: s.imports, declared: s.declared });
  }

  /** The facts of this exact text of the file, if an index made them before. */
  facts(rel: string, text: string): FileFacts | undefined {
    const name = factName(rel, text);
    try {
      const facts = v8.deserialize(fs.readFileSync(path.join(this.factsDir, name))) as FileFacts;
      if (facts.file !== rel) return undefined;
      this.used.add(name);
      this.hits.facts++;
      return facts;
    } catch {
      return undefined;
    }
  }

  keepFacts(rel: string, text: string, facts: FileFacts): void {
    const name = factName(rel, text);
    this.used.add(name);
    this.fresh.set(name, facts);
  }

  /**
   * Writes what is new and drops the facts no file has any more. `turn` gives the event loop a turn
   * between files: the editor's requests are answered meanwhile.
   */
  async save(turn: () => Promise<void> = async () => undefined): Promise<void> {
    try {
      fs.mkdirSync(this.factsDir, { recursive: true });
      for (const [name, facts] of this.fresh) {
        await turn();
        writeAtomic(path.join(this.factsDir, name), v8.serialize(facts));
      }
      this.fresh.clear();
      writeAtomic(path.join(this.dir, 'index.bin'), v8.serialize({ build: BUILD, root: this.root, summaries: this.summaries } satisfies Stored));
      for (const name of fs.readdirSync(this.factsDir)) if (!this.used.has(name)) fs.rmSync(path.join(this.factsDir, name), { force: true });
    } catch {
      // a cache that cannot be written costs the next start its speed, nothing else
    }
  }
}

function statOf(abs: string): fs.Stats | undefined {
  try {
    return fs.statSync(abs);
  } catch {
    return undefined;
  }
}

function factName(rel: string, text: string): string {
  return crypto.createHash('sha1').update(BUILD).update('\0').update(rel).update('\0').update(text).digest('hex') + '.bin';
}

/** Another server on the same folder may be writing too: a whole file or none. */
function writeAtomic(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
