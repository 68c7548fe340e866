/**
 * S3Storage against a real S3-compatible server (s3rver behind the signature-checking proxy) whose
 * proxy injects failures: multipart uploads round-trip byte-exact, a failed part or request is tried
 * again, a failure that lasts aborts the multipart upload and leaves no object, and a request that is
 * not idempotent is sent once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { S3Storage } from '../../../src/storage/s3-storage.js';
import { startS3Server, type S3TestServer } from '../../helpers/s3-server.js';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const FAST_RETRY = { attempts: 4, baseDelayMs: 10, maxDelayMs: 40 };

let s3: S3TestServer;
let scratch: string;
let video: Buffer;

beforeAll(async () => {
  s3 = await startS3Server();
  scratch = await mkdtemp(join(tmpdir(), 'lotreel-s3-faults-'));
  // Three parts: two full ones and a short last one.
  video = randomBytes(2 * PART + 123_457);
});

afterAll(async () => {
  await s3?.close();
  await rm(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  s3.clearFaults();
  s3.seen.length = 0;
});

let counter = 0;
async function incoming(bytes: Buffer): Promise<string> {
  const path = join(scratch, `incoming-${++counter}`);
  await writeFile(path, bytes);
  return path;
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const storage = () => new S3Storage(s3.settings, { partSizeBytes: PART, retry: FAST_RETRY });
const seen = (pattern: RegExp) => s3.seen.filter((line) => pattern.test(line));

async function readBack(store: S3Storage, key: string): Promise<Buffer> {
  const copy = await store.localCopy(key);
  try {
    return await readFile(copy.path);
  } finally {
    await copy.release();
  }
}

describe('S3 multipart uploads', () => {
  it('stores a file above the part size in parts, byte-exact, and nothing above a part size in one PUT', async () => {
    const store = storage();
    const source = await incoming(video);
    await store.putFile('mp/v1/original', source, { keepSource: true });
    expect(existsSync(source)).toBe(true);
    expect(seen(/^POST \/lotreel\/mp\/v1\/original\?uploads=$/)).toHaveLength(1);
    expect(seen(/^PUT \/lotreel\/mp\/v1\/original\?partNumber=\d&uploadId=/).map((l) => /partNumber=(\d)/.exec(l)![1]).sort()).toEqual(['1', '2', '3']);
    expect(seen(/^POST \/lotreel\/mp\/v1\/original\?uploadId=/)).toHaveLength(1);
    expect(sha(await readBack(store, 'mp/v1/original'))).toBe(sha(video));
    const object = await store.read('mp/v1/original');
    object?.stream.destroy(); // only its size is wanted: an unread stream would hold the server's connection
    expect(object?.sizeBytes).toBe(video.length);
    expect(await s3.openUploads()).toEqual([]);

    s3.seen.length = 0;
    const exactlyOnePart = video.subarray(0, PART);
    await store.putFile('mp/v2/original', await incoming(exactlyOnePart));
    expect(s3.seen).toEqual(['PUT /lotreel/mp/v2/original']);
    expect(sha(await readBack(store, 'mp/v2/original'))).toBe(sha(exactlyOnePart));
  });

  it('tries a failed part again (503 SlowDown, 500, a dropped connection) and completes', async () => {
    s3.inject({ match: (r) => r.method === 'PUT' && r.url.includes('partNumber=2&'), fault: { status: 503, code: 'SlowDown' }, times: 1 });
    s3.inject({ match: (r) => r.method === 'PUT' && r.url.includes('partNumber=2&'), fault: { status: 500, code: 'InternalError' }, times: 1 });
    s3.inject({ match: (r) => r.method === 'PUT' && r.url.includes('partNumber=3&'), fault: 'drop', times: 1 });
    const store = storage();
    await store.putFile('mp/v3/original', await incoming(video));
    expect(seen(/partNumber=1&/)).toHaveLength(1);
    expect(seen(/partNumber=2&/)).toHaveLength(3);
    expect(seen(/partNumber=3&/)).toHaveLength(2);
    expect(sha(await readBack(store, 'mp/v3/original'))).toBe(sha(video));
    expect(await s3.openUploads()).toEqual([]);
  });

  it('aborts the multipart upload when a part keeps failing: no object, no parts, the local file kept', async () => {
    s3.inject({ match: (r) => r.method === 'PUT' && r.url.includes('partNumber=2&'), fault: { status: 503, code: 'SlowDown' }, times: 1000 });
    const store = storage();
    const source = await incoming(video);
    const error = await store.putFile('mp/v4/original', source).then(() => null, (e: unknown) => e);
    expect(isLotreelError(error, 'STORAGE_FAILED'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/part 2\/3 answered 503 \(SlowDown\) \(4 tries\)/);
    expect(seen(/partNumber=2&/)).toHaveLength(FAST_RETRY.attempts);
    expect(seen(/^DELETE \/lotreel\/mp\/v4\/original\?uploadId=/)).toHaveLength(1);
    expect(await s3.openUploads()).toEqual([]);
    expect(await s3.keys()).not.toContain('mp/v4/original');
    expect(await store.read('mp/v4/original')).toBeNull();
    expect(existsSync(source)).toBe(true);
  });

  it('aborts when the completion fails for good, and sends the start of an upload only once', async () => {
    s3.inject({ match: (r) => r.method === 'POST' && r.url.includes('?uploadId='), fault: { status: 400, code: 'InvalidPart' }, times: 1 });
    const store = storage();
    const error = await store.putFile('mp/v5/original', await incoming(video)).then(() => null, (e: unknown) => e);
    expect((error as Error).message).toMatch(/complete multipart mp\/v5\/original answered 400 \(InvalidPart\)$/);
    expect(seen(/^DELETE \/lotreel\/mp\/v5\/original\?uploadId=/)).toHaveLength(1);
    expect(await s3.openUploads()).toEqual([]);
    expect(await s3.keys()).not.toContain('mp/v5/original');

    // CreateMultipartUpload is not idempotent (a second try would start a second upload): one try.
    s3.seen.length = 0;
    s3.inject({ match: (r) => r.method === 'POST' && r.url.endsWith('?uploads='), fault: { status: 503, code: 'SlowDown' }, times: 1 });
    const refused = await store.putFile('mp/v6/original', await incoming(video)).then(() => null, (e: unknown) => e);
    expect((refused as Error).message).toMatch(/start multipart mp\/v6\/original answered 503 \(SlowDown\)$/);
    expect(seen(/\?uploads=$/)).toHaveLength(1);
    expect(seen(/partNumber=/)).toEqual([]);
  });

  it('refuses a part size under S3 minimum of 5 MiB', () => {
    let error: unknown = null;
    try {
      new S3Storage(s3.settings, { partSizeBytes: 1 * MiB });
    } catch (e) {
      error = e;
    }
    expect(isLotreelError(error, 'INVALID_CONFIG')).toBe(true);
  });
});

describe('S3 retries', () => {
  it('tries single requests again on 503, 429, 500 and a dropped connection', async () => {
    const store = storage();
    s3.inject({ match: (r) => r.method === 'PUT', fault: 'drop', times: 1 });
    s3.inject({ match: (r) => r.method === 'PUT', fault: { status: 500, code: 'InternalError' }, times: 1 });
    await store.putFile('retry/v1/original', await incoming(Buffer.from('small original')));
    expect(seen(/^PUT \/lotreel\/retry\/v1\/original$/)).toHaveLength(3);

    s3.inject({ match: (r) => r.method === 'GET', fault: { status: 503, code: 'SlowDown' }, times: 1 });
    s3.inject({ match: (r) => r.method === 'HEAD', fault: { status: 429, code: 'TooManyRequests' }, times: 1 });
    const object = await store.read('retry/v1/original');
    expect(object?.sizeBytes).toBe(14);
    object?.stream.resume();
    expect(await store.size('retry/v1/original')).toBe(14);

    s3.inject({ match: (r) => r.method === 'GET' && r.url.includes('prefix='), fault: 'drop', times: 2 });
    await store.removeAll('retry/v1');
    expect(await store.read('retry/v1/original')).toBeNull();
  });

  it('gives up after its tries and does not retry a refusal (4xx)', async () => {
    const store = storage();
    s3.inject({ match: (r) => r.method === 'GET', fault: { status: 503, code: 'SlowDown' }, times: 1000 });
    const error = await store.read('retry/v2/original').then(() => null, (e: unknown) => e);
    expect((error as Error).message).toMatch(/GET retry\/v2\/original answered 503 \(SlowDown\) \(4 tries\)/);
    expect(seen(/^GET \/lotreel\/retry\/v2\/original$/)).toHaveLength(FAST_RETRY.attempts);
    s3.clearFaults();
    s3.seen.length = 0;
    const refused = await new S3Storage({ ...s3.settings, secretAccessKey: 'wrong' }, { retry: FAST_RETRY }).size('retry/v2/original').then(() => null, (e: unknown) => e);
    expect((refused as Error).message).toMatch(/answered 403/);
    expect(s3.seen).toHaveLength(1);
  });
});
