/** The version of a photo's look, which names its URLs and its published render (Node's hash: server only). */
import { createHash } from 'node:crypto';
import type { Edit } from './model.js';

/**
 * A short fingerprint of what a photo shows: its frame's file and its edit list. A changed photo gets
 * new URLs and a new published render (the same edits on another frame included).
 */
export function editsVersion(file: string, edits: readonly Edit[]): string {
  return createHash('sha256').update(JSON.stringify([file, edits])).digest('hex').slice(0, 16);
}
