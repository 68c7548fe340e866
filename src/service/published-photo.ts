/**
 * A dealer's photo as published, from storage: the original frame when the seller left it alone, else
 * the full-size render of its edits, made once per version and kept beside the video's files (older
 * versions replaced). Null when the photo's file is missing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldEdits, isOriginal } from '../edits/fold.js';
import type { Edit } from '../edits/model.js';
import { editsVersion } from '../edits/version.js';
import { renderPhoto } from '../edits/render.js';
import { LotreelError } from '../core/errors.js';
import type { ServiceContext } from './context.js';
import { checkKey, videoPrefix, type LocalCopy, type StoredObject } from '../storage/storage.js';

export interface PublishablePhoto {
  id: string;
  videoId: string;
  file: string;
  width: number;
  height: number;
  edits: readonly Edit[];
}

/** Where a photo's published renders are kept (removed with the photo). */
export const renderedPrefix = (dealerId: string, photo: Pick<PublishablePhoto, 'id' | 'videoId'>): string =>
  checkKey(`${videoPrefix(dealerId, photo.videoId)}/rendered/${photo.id}`);

export async function publishedPhoto(ctx: Pick<ServiceContext, 'storage' | 'config'>, dealerId: string, photo: PublishablePhoto): Promise<StoredObject | null> {
  const originalKey = checkKey(`${videoPrefix(dealerId, photo.videoId)}/${photo.file}`);
  const state = foldEdits(photo.edits);
  if (isOriginal(state)) return ctx.storage.read(originalKey);
  const renderedKey = `${renderedPrefix(dealerId, photo)}/${editsVersion(photo.file, photo.edits)}.jpg`;
  const stored = await ctx.storage.read(renderedKey);
  if (stored) return stored;

  let original: LocalCopy;
  try {
    original = await ctx.storage.localCopy(originalKey);
  } catch (error) {
    if (error instanceof LotreelError && error.code === 'INPUT_MISSING') return null;
    throw error;
  }
  let jpeg: Buffer;
  try {
    ({ jpeg } = await renderPhoto(original.path, { width: photo.width, height: photo.height }, state, ctx.config.editor));
  } finally {
    await original.release();
  }
  const scratch = await mkdtemp(join(tmpdir(), 'lotreel-render-'));
  try {
    const file = join(scratch, 'photo.jpg');
    await writeFile(file, jpeg);
    await ctx.storage.removeAll(renderedPrefix(dealerId, photo));
    await ctx.storage.putFile(renderedKey, file);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return ctx.storage.read(renderedKey);
}
