import type { KeyUse } from '../model/keyuse';
import { anchorOffset, originOffset } from '../model/pattern';

/** Where in a file a use's text is written: a literal's characters, or a runtime value's anchor (one place). */
interface Written {
  start: number;
  end: number;
  /** the use's position in get(file) */
  i: number;
}

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
  /** per file written in, made when first asked (at) and dropped when a use written there changes */
  private places = new Map<string, PlacesIn>();

  constructor(private ordinal: (file: string) => number) {}

  /** Replaces what one analysed file contributes (its own calls' uses, its scripts' uses; none: it is gone). */
  replace(file: string, uses: [KeyUse[], KeyUse[]] | undefined): void {
    for (const where of this.parts.get(file)?.keys() ?? []) {
      this.places.delete(where);
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
      this.places.delete(where);
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

  /**
   * The uses written in `file` whose literal text spans one of `positions`, or whose runtime value is
   * anchored at one (the keys an edit there changes), in get()'s order.
   */
  at(file: string, positions: number[]): KeyUse[] {
    let p = this.places.get(file);
    if (!p) this.places.set(file, (p = new PlacesIn(file, this.get(file))));
    return p.at(positions);
  }

  clear(): void {
    this.parts.clear();
    this.writers.clear();
    this.places.clear();
  }
}

/**
 * Where the given uses are written in one file, sorted once: a big file has thousands of uses and a
 * fix a handful of edits, so each position looks up its own places.
 */
export class PlacesIn {
  private readonly written: Written[] = [];
  private readonly longest: number;

  constructor(
    file: string,
    private readonly uses: KeyUse[],
  ) {
    uses.forEach((u, i) => {
      for (const s of u.pattern.segments) {
        if (s.kind === 'lit') {
          for (const o of s.from ?? []) if (o.file === file) this.written.push({ start: originOffset(o), end: originOffset(o) + o.length, i });
        } else for (const a of [s.before, s.after]) if (a?.file === file) this.written.push({ start: anchorOffset(a), end: anchorOffset(a), i });
      }
    });
    this.written.sort((a, b) => a.start - b.start);
    this.longest = this.written.reduce((m, w) => Math.max(m, w.end - w.start), 0);
  }

  /** The uses whose literal text spans one of `positions` or whose runtime value is anchored at one, in the uses' order. */
  at(positions: number[]): KeyUse[] {
    const hit = new Set<number>();
    for (const pos of positions) {
      // the last place starting at or before pos, then back as far as the longest place reaches
      let lo = 0;
      let hi = this.written.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.written[mid].start <= pos) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo - 1; k >= 0 && this.written[k].start >= pos - this.longest; k--) if (this.written[k].end >= pos) hit.add(this.written[k].i);
    }
    return [...hit].sort((a, b) => a - b).map((i) => this.uses[i]);
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
