/** Public API of storage/: the interface and key rules, the local folder, the S3-compatible store. */
import { join } from 'node:path';
import type { Storage } from './storage.js';
import type { Config } from '../config/config.js';
import { LocalStorage } from './local-storage.js';
import { S3Storage } from './s3-storage.js';

export * from './storage.js';
export { LocalStorage } from './local-storage.js';
export { S3Storage } from './s3-storage.js';

/** The storage a configuration selects: the local folder `<dataDir>/media` unless S3 is configured. */
export function openStorage(config: Pick<Config, 'dataDir' | 'storage'>): Storage {
  return config.storage?.kind === 's3' ? new S3Storage(config.storage) : new LocalStorage(join(config.dataDir, 'media'));
}
