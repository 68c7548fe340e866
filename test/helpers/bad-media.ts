/**
 * Broken and wrong inputs for the CLI tests, made from real media with the real ffmpeg: an audio-only
 * file, a truncated MP4 (moov at the end, cut off), a corrupted faststart MP4 (moov first, garbage in
 * the middle of mdat). Each maker checks that the file really has the property it is meant to have.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { mulberry32 } from '../../fixtures/prng.js';
import { binaries } from '../../fixtures/run.js';

const run = promisify(execFile);

/** The ffmpeg the project itself would use (LOTREEL_FFMPEG, else PATH, else the npm build). */
export const FFMPEG = binaries().ffmpeg;

export async function ffmpeg(args: readonly string[]): Promise<void> {
  await run(FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { maxBuffer: 16 << 20 });
}

export interface TopLevelBox {
  type: string;
  offset: number;
  size: number;
}

/** The top-level boxes (atoms) of an ISO-BMFF file (MP4/MOV), in file order. */
export function topLevelBoxes(bytes: Uint8Array): TopLevelBox[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: TopLevelBox[] = [];
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    let size = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (size === 1) {
      if (offset + 16 > bytes.length) break;
      size = Number(view.getBigUint64(offset + 8));
    } else if (size === 0) {
      size = bytes.length - offset;
    }
    if (size < 8) break;
    boxes.push({ type, offset, size });
    offset += size;
  }
  return boxes;
}

const boxOf = (boxes: TopLevelBox[], type: string, file: string): TopLevelBox => {
  const box = boxes.find((b) => b.type === type);
  if (!box) throw new Error(`${file} has no top-level ${type} box (boxes: ${boxes.map((b) => b.type).join(', ')})`);
  return box;
};

/** A 2 s AAC sine tone in an .m4a: a valid MP4 container with no video stream. */
export async function makeAudioOnly(out: string): Promise<void> {
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-t', '2', '-c:a', 'aac', out]);
}

/**
 * A stream copy of `source` with the moov box at the end (ffmpeg's default without +faststart), cut to
 * the first `share` of its bytes: the index is gone, as when a recording or a copy is interrupted.
 */
export async function makeTruncated(source: string, moovAtEnd: string, out: string, share = 0.4): Promise<void> {
  await ffmpeg(['-i', source, '-map', '0', '-c', 'copy', moovAtEnd]);
  const bytes = await readFile(moovAtEnd);
  const boxes = topLevelBoxes(bytes);
  const moov = boxOf(boxes, 'moov', moovAtEnd);
  const mdat = boxOf(boxes, 'mdat', moovAtEnd);
  if (moov.offset < mdat.offset) throw new Error(`${moovAtEnd}: expected the moov box after mdat`);
  const cut = Math.floor(bytes.length * share);
  if (cut >= moov.offset) throw new Error(`${moovAtEnd}: cutting at ${cut} would keep the moov box`);
  await writeFile(out, bytes.subarray(0, cut));
}

/**
 * A faststart stream copy of `source` (moov first, so the index is intact) with `length` random bytes
 * written over the middle of the mdat box: the container opens, some frames are garbage.
 */
export async function makeCorrupt(source: string, faststart: string, out: string, length = 64 * 1024, seed = 20240607): Promise<{ from: number; to: number }> {
  await ffmpeg(['-i', source, '-map', '0', '-c', 'copy', '-movflags', '+faststart', faststart]);
  const bytes = new Uint8Array(await readFile(faststart));
  const boxes = topLevelBoxes(bytes);
  const moov = boxOf(boxes, 'moov', faststart);
  const mdat = boxOf(boxes, 'mdat', faststart);
  if (moov.offset > mdat.offset) throw new Error(`${faststart}: expected the moov box before mdat (+faststart)`);
  const from = mdat.offset + Math.floor(mdat.size / 2) - Math.floor(length / 2);
  const to = from + length;
  if (from <= mdat.offset + 16 || to >= mdat.offset + mdat.size) throw new Error(`${faststart}: mdat too small to corrupt ${length} bytes`);
  const random = mulberry32(seed);
  for (let i = from; i < to; i++) bytes[i] = Math.floor(random() * 256);
  await writeFile(out, bytes);
  return { from, to };
}
