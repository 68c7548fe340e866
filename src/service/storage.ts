/**
 * Where originals and photos live, behind one interface. Keys are built by the service from ids and
 * fixed names (`<dealerId>/<videoId>/original`, `<dealerId>/<videoId>/car-1/01.jpg`), never from a
 * file name a client sent; every key is checked before it touches the file system.
 *
 * A local folder by default; an S3-compatible bucket by configuration (s3-storage.ts).
 */
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, copyFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config/config.js';
import { LotreelError } from '../errors.js';
import { S3Storage } from './s3-storage.js';

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

export interface Storage {
  readonly kind: 'local' | 's3';
  /** Moves a finished local file (an upload) into storage under `key`. */
  putFile(key: string, localPath: string): Promise<void>;
  /** A local file with the object's bytes, for ffmpeg; INPUT_MISSING when there is no such object. */
  localCopy(key: string): Promise<LocalCopy>;
  /**
   * A local folder the pipeline writes a video's outputs into; `publish` makes them readable under
   * `prefix`; `release` drops what was not published (a failed attempt).
   */
  outputFolder(prefix: string): Promise<OutputFolder>;
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

export class LocalStorage implements Storage {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Absolute path of a key, always inside the root. */
  pathOf(key: string): string {
    const path = resolve(this.root, checkKey(key));
    if (!path.startsWith(this.root + sep)) throw new LotreelError('INVALID_ARGUMENT', 'storage key outside the storage folder');
    return path;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(localPath, target);
    } catch (error) {
      // Another file system (uploads on a different disk): copy, then remove the source.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(localPath, `${target}.part`);
      await rename(`${target}.part`, target);
      await rm(localPath, { force: true });
    }
  }

  async localCopy(key: string): Promise<LocalCopy> {
    const path = this.pathOf(key);
    if (!(await stat(path).then((info) => info.isFile(), () => false))) throw new LotreelError('INPUT_MISSING', `no stored object ${key}`);
    return { path, release: async () => undefined };
  }

  async outputFolder(prefix: string): Promise<OutputFolder> {
    const dir = this.pathOf(prefix);
    await mkdir(dir, { recursive: true });
    return { dir, publish: async () => undefined, release: async () => undefined };
  }

  async read(key: string): Promise<StoredObject | null> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      return { stream: createReadStream(path), sizeBytes: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async removeAll(prefix: string): Promise<void> {
    await rm(this.pathOf(prefix), { recursive: true, force: true });
  }
}

/** The storage a configuration selects: the local folder `<dataDir>/media` unless S3 is configured. */
export function openStorage(config: Pick<Config, 'dataDir' | 'storage'>): Storage {
  return config.storage?.kind === 's3' ? new S3Storage(config.storage) : new LocalStorage(join(config.dataDir, 'media'));
}
