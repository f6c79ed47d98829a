import * as fs from 'fs';
import * as path from 'path';
import ignore, { Ignore } from 'ignore';
import picomatch from 'picomatch';
import { languageOfPath } from '../extract/parser';
import type { Language } from '../extract/ir';

/** Folders that hold dependencies, builds or generated code: never the user's own keys. */
export const DEFAULT_EXCLUDES = ['node_modules', 'vendor', 'dist', 'build', 'out', 'target', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', 'site-packages', 'bower_components', '.next', 'coverage', 'generated', '__generated__'];
export const MAX_FILE_BYTES = 1024 * 1024;

export interface SourceFile {
  abs: string;
  /** relative to the root, with `/` */
  rel: string;
  language: Language;
}

export interface Skipped {
  rel: string;
  /** `failed`: keyslot could not analyse it (an internal error, in `detail`) */
  reason: 'binary' | 'too-large' | 'minified' | 'unreadable' | 'failed' | 'symlink';
  detail?: string;
}

/** The default locale's order, as `localeCompare` gives it, without making a collator per comparison. */
const byName = new Intl.Collator().compare;

/** A .gitignore and how a path below the walk's root is written from its folder: `lead` + the path without its first `strip` characters. */
interface FolderIgnore {
  ig: Ignore;
  lead: string;
  strip: number;
}

/** Walks the given paths for supported files, honouring .gitignore files, default excludes and --exclude globs. */
export function listFiles(root: string, paths: string[], excludes: string[], skipped: Skipped[]): SourceFile[] {
  const isExcluded = excludes.length ? picomatch(excludes, { dot: true }) : () => false;
  const out: SourceFile[] = [];
  const toRel = (abs: string) => path.relative(root, abs).split(path.sep).join('/');
  // relDir: the folder's path from the root with `/` ('' for the root); paths are joined as strings, not through path (a walk of 100k files)
  const walk = (dir: string, relDir: string, ignores: FolderIgnore[]) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      skipped.push({ rel: relDir || '.', reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code });
      return;
    }
    if (entries.some((e) => e.name === '.gitignore')) {
      try {
        ignores = [...ignores, { ig: ignore().add(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')), lead: '', strip: relDir ? relDir.length + 1 : 0 }];
      } catch {
        // an unreadable .gitignore ignores nothing
      }
    }
    for (const e of entries.sort((a, b) => byName(a.name, b.name))) {
      const abs = dir + path.sep + e.name;
      const r = relDir ? relDir + '/' + e.name : e.name;
      const isDir = e.isDirectory();
      if (isDir && DEFAULT_EXCLUDES.includes(e.name)) continue;
      if (isExcluded(r) || (isDir && isExcluded(r + '/'))) continue;
      if (ignores.some(({ ig, lead, strip }) => ig.ignores(lead + r.slice(strip) + (isDir ? '/' : '')))) continue;
      if (isDir) walk(abs, r, ignores);
      else if (e.isFile() || (e.isSymbolicLink() && fs.statSync(abs, { throwIfNoEntry: false })?.isFile())) {
        const language = languageOfPath(e.name);
        if (language) out.push({ abs, rel: r, language });
      } else if (e.isSymbolicLink() && fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
        // a linked file is read; a linked folder is not walked (it may loop, or hold the whole disk)
        skipped.push({ rel: r, reason: 'symlink' });
      }
    }
  };
  for (const p of paths) {
    const abs = path.resolve(p);
    const st = fs.statSync(abs);
    // a folder named explicitly is scanned even where a .gitignore above it ignores it (as ripgrep does);
    // the .gitignore files inside it still apply
    if (st.isDirectory()) {
      const relDir = toRel(abs);
      const above = ancestorIgnores(abs).filter(({ base, ig }) => !ig.ignores(path.relative(base, abs).split(path.sep).join('/') + '/'));
      // a path below `abs` from an ancestor's folder: that folder's path to `abs`, then the path below `abs`
      const strip = relDir ? relDir.length + 1 : 0;
      walk(abs, relDir, above.map(({ base, ig }) => ({ ig, lead: path.relative(base, abs).split(path.sep).join('/') + '/', strip })));
    } else {
      const language = languageOfPath(abs);
      if (language) out.push({ abs, rel: toRel(abs), language });
    }
  }
  return out;
}

/** .gitignore files between the repository root and `dir` (exclusive) still apply inside `dir`. */
function ancestorIgnores(dir: string): { base: string; ig: Ignore }[] {
  const chain: string[] = [];
  let d = path.dirname(dir);
  let cur = dir;
  while (d !== cur) {
    chain.unshift(d);
    if (fs.existsSync(path.join(d, '.git'))) break;
    cur = d;
    d = path.dirname(d);
  }
  if (!chain.length || !fs.existsSync(path.join(chain[0], '.git'))) return [];
  const out: { base: string; ig: Ignore }[] = [];
  for (const base of chain) {
    try {
      out.push({ base, ig: ignore().add(fs.readFileSync(path.join(base, '.gitignore'), 'utf8')) });
    } catch {
      // no .gitignore at this level
    }
  }
  return out;
}

/**
 * The scan's path rules for one file at a time (an editor opening it, a file event): default
 * excludes, exclude globs and the `.gitignore` files from the root down to the file's folder.
 */
export class PathFilter {
  private readonly isExcluded: (p: string) => boolean;
  private readonly ignores = new Map<string, Ignore | null>();

  constructor(
    private readonly root: string,
    excludes: string[],
  ) {
    this.isExcluded = excludes.length ? picomatch(excludes, { dot: true }) : () => false;
  }

  admits(rel: string): boolean {
    if (!languageOfPath(rel) || rel.startsWith('../')) return false;
    const parts = rel.split('/');
    if (this.isExcluded(rel)) return false;
    for (let i = 0; i < parts.length - 1; i++) {
      if (DEFAULT_EXCLUDES.includes(parts[i])) return false;
      if (this.isExcluded(parts.slice(0, i + 1).join('/') + '/')) return false;
    }
    // every .gitignore from the root down: each sees the path below its own folder
    for (let i = 0; i < parts.length; i++) {
      const ig = this.ignoreAt(parts.slice(0, i).join('/'));
      if (!ig) continue;
      const below = parts.slice(i);
      for (let j = 1; j < below.length; j++) if (ig.ignores(below.slice(0, j).join('/') + '/')) return false;
      if (ig.ignores(below.join('/'))) return false;
    }
    return true;
  }

  private ignoreAt(dir: string): Ignore | null {
    let ig = this.ignores.get(dir);
    if (ig === undefined) {
      try {
        ig = ignore().add(fs.readFileSync(path.join(this.root, dir, '.gitignore'), 'utf8'));
      } catch {
        ig = null;
      }
      this.ignores.set(dir, ig);
    }
    return ig;
  }
}

/** The scan's limits on a text that comes from an editor rather than the disk: size, binary, minified. */
export function textSkip(f: Pick<SourceFile, 'rel' | 'language'>, text: string): Skipped | undefined {
  // (UTF-16 length ≤ UTF-8 bytes ≤ 3 × length: only a text near the limit is measured)
  const size = text.length > MAX_FILE_BYTES / 3 ? Buffer.byteLength(text, 'utf8') : text.length;
  if (size > MAX_FILE_BYTES) return { rel: f.rel, reason: 'too-large', detail: `${size} bytes` };
  if (text.slice(0, 8192).includes('\0')) return { rel: f.rel, reason: 'binary' };
  if (isMinified(f, text)) return { rel: f.rel, reason: 'minified' };
  return undefined;
}

/** Why a file is not analysed, as a sentence's end: "keyslot does not analyse this file: …". */
export function skipReason(s: Skipped): string {
  switch (s.reason) {
    case 'too-large':
      return `it is over ${MAX_FILE_BYTES / 1024 / 1024} MiB (${s.detail})`;
    case 'binary':
      return 'it looks binary (NUL bytes)';
    case 'minified':
      return 'it looks minified (a bundle, or lines of 300+ characters on average)';
    case 'unreadable':
      return `it cannot be read (${s.detail})`;
    case 'failed':
      return `an internal error (${s.detail}); please report it`;
    case 'symlink':
      return 'it is a link to a folder, which the scan does not follow';
  }
}

export interface ReadResult {
  text?: string;
  skip?: Skipped;
  invalidUtf8?: boolean;
}

// decode() without { stream: true } keeps no state between calls, so one decoder of each kind serves every file
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');

/*
 * One read buffer, reused: a cold scan reads every file of the workspace once, and a fresh Buffer
 * per file is memory outside the V8 heap that the garbage collector hardly notices (hundreds of
 * MB on a large tree before it is reclaimed). Only the decoded text outlives the call.
 */
let readBuffer = Buffer.allocUnsafeSlow(256 * 1024);

/** The whole file (it may have grown since fstat), in the shared buffer. */
function readAll(fd: number, size: number): Buffer {
  if (readBuffer.length < size + 1) readBuffer = Buffer.allocUnsafeSlow(Math.max(size + 1, readBuffer.length * 2));
  let n = 0;
  for (;;) {
    if (n === readBuffer.length) {
      const bigger = Buffer.allocUnsafeSlow(readBuffer.length * 2);
      readBuffer.copy(bigger, 0, 0, n);
      readBuffer = bigger;
    }
    const got = fs.readSync(fd, readBuffer, n, readBuffer.length - n, null);
    if (got === 0) break;
    n += got;
  }
  return readBuffer.subarray(0, n);
}

/**
 * A lone CR is a line break to the LSP and to editors, but not to every grammar (a Python comment
 * would run on over the next statement). Made LF - same length, so every offset stays - it is one
 * line-ending rule for the parsers, the CLI's line numbers and the server.
 */
export function normalizeLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** Reads a source file, refusing what is not source: binary, too large, minified bundles. */
export function readSource(f: SourceFile): ReadResult {
  let buf: Buffer;
  try {
    const fd = fs.openSync(f.abs, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size > MAX_FILE_BYTES) return { skip: { rel: f.rel, reason: 'too-large', detail: `${size} bytes` } };
      buf = readAll(fd, size);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    return { skip: { rel: f.rel, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code } };
  }
  if (buf.subarray(0, 8192).includes(0)) return { skip: { rel: f.rel, reason: 'binary' } };
  let text: string;
  let invalidUtf8 = false;
  try {
    text = STRICT_UTF8.decode(buf);
  } catch {
    // parse what we can; broken bytes become U+FFFD
    text = LENIENT_UTF8.decode(buf);
    invalidUtf8 = true;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (isMinified(f, text)) return { skip: { rel: f.rel, reason: 'minified' } };
  return { text: normalizeLineBreaks(text), invalidUtf8 };
}

function isMinified(f: Pick<SourceFile, 'rel' | 'language'>, text: string): boolean {
  if (/\.min\.[cm]?js$/.test(f.rel)) return true;
  if (f.language !== 'javascript' || text.length < 20000) return false;
  const lines = text.split('\n').length;
  return text.length / lines > 300;
}
