/** Folders for uploads in progress: tus uploads and multipart bodies are streamed here, never kept. */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const tusUploadsDir = (dataDir: string): string => join(dataDir, 'uploads', 'tus');

/** A fresh temporary path for one multipart upload (a random name, never the client's). */
export function incomingPath(dataDir: string): string {
  const dir = join(dataDir, 'uploads', 'incoming');
  mkdirSync(dir, { recursive: true });
  return join(dir, randomBytes(16).toString('hex'));
}
