/** Appends to the list under a key (in place: building big groups stays linear). */
export function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function groupBy<T, K>(items: Iterable<T>, key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of items) pushTo(m, key(x), x);
  return m;
}

/** Adds to the set under a key. */
export function link<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

/** Removes from the set under a key, and the key when its set is empty. */
export function unlink<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s?.delete(v) && !s.size) m.delete(k);
}
