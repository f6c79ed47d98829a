import calculateSlot = require('cluster-key-slot');
import { hashSpanOfBytes, toKeyBytes } from './hashtag';

export const SLOT_COUNT = 16384;

/*
 * Why a guarded path around cluster-key-slot: version 1.1.2 (upstream archived) keeps scanning
 * past an empty `{}` and hashes `foo{}{bar}` as if the tag were `{bar` (7.5 % of random
 * brace-heavy keys disagree with a real server). We do the spec's tag extraction ourselves
 * (hashtag.ts) and hand cluster-key-slot only the hashed bytes. Its whole-input branch is a plain
 * CRC16 whenever those bytes hold no `}` - true for every tag and for keys without braces. The
 * only hashed parts that can hold a `}` are whole keys whose first brace pair is the empty `{}`;
 * those go through the local CRC16 below. We always pass bytes, never strings, so its own UTF-8
 * encoder (which differs from Buffer.from on lone surrogates) is never used.
 * The proof is test/cluster/slot-parity.test.ts: 1,000,000 keys against CLUSTER KEYSLOT.
 */

const CRC16_TABLE = (() => {
  // XMODEM: poly 0x1021, init 0, no reflection, no final xor.
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc;
}

/** Slot of the hashed bytes alone (no tag extraction). */
export function slotOfHashedBytes(hashed: Uint8Array): number {
  if (hashed.indexOf(0x7d) >= 0) return crc16(hashed) % SLOT_COUNT;
  return calculateSlot(Buffer.from(hashed.buffer, hashed.byteOffset, hashed.byteLength));
}

/** What `CLUSTER KEYSLOT key` answers. */
export function keySlot(key: string | Uint8Array): number {
  const bytes = toKeyBytes(key);
  const span = hashSpanOfBytes(bytes);
  return slotOfHashedBytes(bytes.subarray(span.start, span.end));
}
