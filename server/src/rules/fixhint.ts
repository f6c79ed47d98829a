import { commonEntity, entityName, sharedHoles } from '../model/entity';
import { HASH_TAGS, isHashingPolicy, isHashTags, lockTagWhere, TagRule } from '../model/hashtag';
import type { KeyUse } from '../model/keyuse';
import { keyText, listKeys } from './groups';

/** Multi-key commands that mean the same sent once per key (or per slot): splitting them is a fix. */
const SPLITTABLE = /^(del|exists|touch|unlink|mget|mset|msetnx)$/;

/**
 * The second half of a crossslot message: the entity tag that would fix it, or why none fits.
 * `command` is the group's command; a transaction, a script or a command that moves data
 * between its keys (RPOPLPUSH, SINTERSTORE, RENAME) loses what it is for when split.
 */
export function fixHint(members: KeyUse[], command?: string, rule: TagRule = HASH_TAGS): string {
  // Dragonfly's lock tags are read between delimiters, not braces: a `{…}` hint would not help there
  if (isHashingPolicy(rule)) return `give the keys the same tag under the database's hashing policy (${lockTagWhere(rule)})`;
  if (!isHashTags(rule)) return `give the keys one lock tag (what Dragonfly hashes: ${lockTagWhere(rule)})`;
  const distinct = [...new Map(members.map((m) => [m.hash.hashId, m])).values()];
  const entity = commonEntity(distinct.map((m) => m.pattern.segments));
  if (entity) return `put the entity tag \`{${entity.text}}\` in every key (\`{${entity.text}}:…\`)`;
  const shared = sharedHoles(distinct.map((m) => m.pattern.segments));
  if (shared.length) {
    const name = entityName(shared[0].expr);
    const tag = shared.map((h) => `\${${h.expr}}`).join(':');
    return `the keys are about the same ${listKeys(shared, (h) => `\`${h.expr}\``)}: tag each with \`{${name}:${tag}}\``;
  }
  if (command && SPLITTABLE.test(command)) return `the keys share no entity (${listKeys(distinct, keyText)}), so a hash tag would only pile unrelated data onto one slot: split the call per key`;
  return `splitting it would lose its atomicity: give the keys one hash tag that names what they belong to`;
}
