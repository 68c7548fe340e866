/**
 * Where originals and photos live, behind one interface. Keys are built by the service from ids and
 * fixed names (`<dealerId>/<videoId>/original`, `<dealerId>/<videoId>/car-1/01.jpg`), never from a
 * file name a client sent; every key is checked before it touches the file system.
 *
 * A local folder by default; an S3-compatible bucket by configuration (s3-storage.ts).
 */
import type { Readable } from 'node:stream';
import { LotreelError } from '../core/errors.js';

export interface StoredObject {
  stream: Readable;
  sizeBytes: number;
}

export interface LocalCopy {
  path: string;
  /** Removes a temporary copy (nothing for local storage). */
  release(): Promise<void>;
}

export interface OutputFolder {
  dir: string;
  publish(): Promise<void>;
  release(): Promise<void>;
}

export interface PutOptions {
  /** Leave the local file where it is (an upload kept until its row is written); default: it is moved. */
  keepSource?: boolean;
}

export interface Storage {
  readonly kind: 'local' | 's3';
  /**
   * Moves a finished local file (an upload) into storage under `key`, whole or not at all: a failed
   * put leaves no object (nor a part of one) and the local file in place.
   */
  putFile(key: string, localPath: string, options?: PutOptions): Promise<void>;
  /** A local file with the object's bytes, for ffmpeg; INPUT_MISSING when there is no such object. */
  localCopy(key: string): Promise<LocalCopy>;
  /**
   * A local folder the pipeline writes a video's outputs into; `publish` makes them readable under
   * `prefix` (a fresh prefix: nothing is there yet; a local folder appears all at once, by one rename);
   * `release` drops what was not published (a failed attempt).
   */
  outputFolder(prefix: string): Promise<OutputFolder>;
  /** The names directly under `prefix` (files and folder-like prefixes), in no particular order. */
  listNames(prefix: string): Promise<string[]>;
  /** The object, or null when there is none. */
  read(key: string): Promise<StoredObject | null>;
  /** Removes every object under `prefix` (a folder-like key). */
  removeAll(prefix: string): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Throws on a key that could leave the storage root: empty, absolute, `..`, odd characters. */
export function checkKey(key: string): string {
  const parts = key.split('/');
  if (key.length === 0 || key.length > 300 || !parts.every((part) => SEGMENT.test(part) && !part.includes('..'))) {
    throw new LotreelError('INVALID_ARGUMENT', `invalid storage key ${JSON.stringify(key.slice(0, 80))}`);
  }
  return key;
}

export const videoPrefix = (dealerId: string, videoId: string): string => checkKey(`${dealerId}/${videoId}`);
export const originalKey = (dealerId: string, videoId: string): string => `${videoPrefix(dealerId, videoId)}/original`;

