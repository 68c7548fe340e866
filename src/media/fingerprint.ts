/** Identifies "the same file" cheaply: size plus hashes of its head and tail (a 4 GB video is not read whole). */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;

export async function fingerprintFile(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const hash = createHash('sha256').update(`lotreel-v1:${size}:`);
    const head = Math.min(size, CHUNK);
    const tail = Math.min(Math.max(0, size - CHUNK), CHUNK);
    for (const [position, length] of [[0, head], [size - tail, tail]]) {
      if (length === 0) continue;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      hash.update(buffer.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}
