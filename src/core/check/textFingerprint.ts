/**
 * A short fingerprint of a text (16 hex digits: FNV-1a over UTF-16 code units, 32 bits, from two
 * bases). A label for "is this the same text", not a defence against forgery; pure, so core needs no
 * crypto module for it.
 */
export function textFingerprint(text: string): string {
  return [0x811c9dc5, 0x050c5d1f].map((basis) => {
    let hash = basis;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    return (hash >>> 0).toString(16).padStart(8, '0');
  }).join('');
}
