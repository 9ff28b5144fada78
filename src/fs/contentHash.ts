import { createHash } from 'node:crypto';
import { decodeFileText } from '../core/text/fileText';

/** A digest of a file's text as the parsers see it (so an editor buffer and the same file on disk agree). */
export function contentHash(content: string | Uint8Array): string {
  const { text, binary } = decodeFileText(content);
  const hash = createHash('sha256');
  if (binary && typeof content !== 'string') hash.update(content);
  else hash.update(text);
  return hash.digest('base64');
}
