/** The local folder behind the storage interface: `<dataDir>/media` by default. */
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, copyFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { LotreelError } from '../core/errors.js';
import { checkKey, type LocalCopy, type OutputFolder, type Storage, type StoredObject } from './storage.js';

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
