/** The local folder behind the storage interface: `<dataDir>/media` by default. */
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { LotreelError } from '../core/errors.js';
import { checkKey, type LocalCopy, type OutputFolder, type PutOptions, type Storage, type StoredObject } from './storage.js';

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

  async putFile(key: string, localPath: string, options: PutOptions = {}): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    if (options.keepSource) return this.#copyIn(localPath, target);
    try {
      await rename(localPath, target);
    } catch (error) {
      // Another file system (uploads on a different disk): copy, then remove the source.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await this.#copyIn(localPath, target);
      await rm(localPath, { force: true });
    }
  }

  /** A second name for the file when it can have one (no bytes copied), else a copy; renamed into place whole. */
  async #copyIn(localPath: string, target: string): Promise<void> {
    const part = `${target}.part`;
    await rm(part, { force: true });
    try {
      await link(localPath, part).catch(async (error: unknown) => {
        if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
        await copyFile(localPath, part);
      });
      await rename(part, target);
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
  }

  async localCopy(key: string): Promise<LocalCopy> {
    const path = this.pathOf(key);
    if (!(await stat(path).then((info) => info.isFile(), () => false))) throw new LotreelError('INPUT_MISSING', `no stored object ${key}`);
    return { path, release: async () => undefined };
  }

  /** Written beside its final place (`<name>.staging`, the same file system), published by one rename. */
  async outputFolder(prefix: string): Promise<OutputFolder> {
    const target = this.pathOf(prefix);
    const dir = join(dirname(target), `${basename(target)}.staging`);
    await mkdir(dir, { recursive: true });
    return {
      dir,
      publish: () => rename(dir, target),
      release: () => rm(dir, { recursive: true, force: true }),
    };
  }

  async listNames(prefix: string): Promise<string[]> {
    return readdir(this.pathOf(prefix)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
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
