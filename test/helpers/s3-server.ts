/**
 * A real S3-compatible server on loopback (s3rver, which checks SigV4 signatures against its
 * S3RVER/S3RVER key pair), with one empty bucket, for the storage tests.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3Settings } from '../../src/service/s3-storage.js';

export const S3_BUCKET = 'lotreel';

export interface S3TestServer {
  endpoint: string;
  settings: S3Settings;
  /** The LOTREEL_* variables that point the service at this server. */
  env: Record<string, string>;
  /** Object keys the server holds, read from its folder (independent of the client under test). */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'lotreel-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: S3_BUCKET }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const settings: S3Settings = { kind: 's3', endpoint, bucket: S3_BUCKET, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', pathStyle: true, timeoutMs: 10_000 };
  return {
    endpoint,
    settings,
    env: {
      LOTREEL_STORAGE: 's3',
      LOTREEL_S3_ENDPOINT: endpoint,
      LOTREEL_S3_BUCKET: S3_BUCKET,
      LOTREEL_S3_ACCESS_KEY_ID: 'S3RVER',
      LOTREEL_S3_SECRET_ACCESS_KEY: 'S3RVER',
    },
    async keys() {
      // s3rver keeps an object as `<key>._S3rver_object` (+ metadata files) under the bucket's folder.
      const entries = await readdir(join(directory, S3_BUCKET), { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile() && entry.name.endsWith('._S3rver_object'))
        .map((entry) => join(entry.parentPath, entry.name).slice(join(directory, S3_BUCKET).length + 1).replace(/\._S3rver_object$/, ''))
        .sort();
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
