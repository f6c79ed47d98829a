import type { KeyUse } from '../model/keyuse';

/**
 * Key uses by the files their text is written in: a literal character of the key (a prefix
 * constant in another module) or the anchor of a runtime value. The tag fix asks which keys an
 * edit of a file reaches, and the hover on a definition which keys a text is part of; both used
 * to index every use of the folder again after each edit. Kept per analysed file, so an edit
 * replaces one file's part.
 */
export class WrittenIn {
  /** per analysed file: the files its uses are written in → those uses (own calls, scripts) */
  private parts = new Map<string, Map<string, [KeyUse[], KeyUse[]]>>();
  /** per file written in: the analysed files with uses written there */
  private writers = new Map<string, Set<string>>();

  constructor(private ordinal: (file: string) => number) {}

  /** Replaces what one analysed file contributes (its own calls' uses, its scripts' uses; none: it is gone). */
  replace(file: string, uses: [KeyUse[], KeyUse[]] | undefined): void {
    for (const where of this.parts.get(file)?.keys() ?? []) {
      const w = this.writers.get(where)!;
      w.delete(file);
      if (!w.size) this.writers.delete(where);
    }
    this.parts.delete(file);
    if (!uses) return;
    const mine = new Map<string, [KeyUse[], KeyUse[]]>();
    for (const phase of [0, 1] as const)
      for (const u of uses[phase])
        for (const where of filesWritingTo(u)) {
          let p = mine.get(where);
          if (!p) mine.set(where, (p = [[], []]));
          p[phase].push(u);
        }
    if (!mine.size) return;
    this.parts.set(file, mine);
    for (const where of mine.keys()) {
      let w = this.writers.get(where);
      if (!w) this.writers.set(where, (w = new Set()));
      w.add(file);
    }
  }

  /** The uses written in `file`, in workspace order (every file's own calls, then every file's scripts). */
  get(file: string): KeyUse[] {
    const files = [...(this.writers.get(file) ?? [])].sort((a, b) => this.ordinal(a) - this.ordinal(b));
    const out: KeyUse[] = [];
    for (const phase of [0, 1]) for (const f of files) for (const u of this.parts.get(f)!.get(file)![phase]) out.push(u);
    return out;
  }

  clear(): void {
    this.parts.clear();
    this.writers.clear();
  }
}

/** The files a use's literal characters and runtime-value anchors are in. */
export function filesWritingTo(u: KeyUse): Set<string> {
  const files = new Set<string>();
  for (const s of u.pattern.segments) {
    if (s.kind === 'lit') for (const o of s.from ?? []) files.add(o.file);
    else for (const a of [s.before, s.after]) if (a) files.add(a.file);
  }
  return files;
}
