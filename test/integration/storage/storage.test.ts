/**
 * The storage contract, one table run on the local folder and on S3Storage against a real
 * S3-compatible server on loopback (s3rver, which verifies every request's SigV4 signature).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { isLotreelError } from '../../../src/core/errors.js';
import { S3Storage } from '../../../src/storage/s3-storage.js';
import { LocalStorage, openStorage, type Storage } from '../../../src/storage/index.js';
import { startS3Server, type S3TestServer } from '../../helpers/s3-server.js';

let s3: S3TestServer;
let scratch: string;

beforeAll(async () => {
  s3 = await startS3Server();
  scratch = await mkdtemp(join(tmpdir(), 'lotreel-storage-contract-'));
});

afterAll(async () => {
  await s3?.close();
  await rm(scratch, { recursive: true, force: true });
});

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

let counter = 0;
/** A local file with `content`, as an upload would leave it. */
async function incoming(content: string | Buffer): Promise<string> {
  const path = join(scratch, `incoming-${++counter}`);
  await writeFile(path, content);
  return path;
}

const stores: Array<{ name: string; open(): Storage; temporaryCopies: boolean }> = [
  { name: 'local folder', open: () => new LocalStorage(join(scratch, 'media')), temporaryCopies: false },
  { name: 'S3 (s3rver)', open: () => new S3Storage(s3.settings, { listPageSize: 2 }), temporaryCopies: true },
];

describe.each(stores)('storage contract: $name', ({ name, open, temporaryCopies }) => {
  const dealer = `dealer-${name.startsWith('S3') ? 's3' : 'local'}`;

  it('puts a file (moving it), reads it back streamed with its size', async () => {
    const storage = open();
    const source = await incoming('original bytes');
    await storage.putFile(`${dealer}/v1/original`, source);
    expect(existsSync(source)).toBe(false);
    const object = await storage.read(`${dealer}/v1/original`);
    expect(object?.sizeBytes).toBe(14);
    expect(await text(object!.stream)).toBe('original bytes');
    // Replacing an object replaces its bytes.
    await storage.putFile(`${dealer}/v1/original`, await incoming('new'));
    expect(await text((await storage.read(`${dealer}/v1/original`))!.stream)).toBe('new');
  });

  it('answers null for a missing object and INPUT_MISSING for a copy of one', async () => {
    const storage = open();
    expect(await storage.read(`${dealer}/v1/nothing.jpg`)).toBeNull();
    expect(await storage.read(`${dealer}/nothing/original`)).toBeNull();
    const error = await storage.localCopy(`${dealer}/v1/nothing.jpg`).catch((e: unknown) => e);
    expect(isLotreelError(error, 'INPUT_MISSING')).toBe(true);
  });

  it('gives a local copy of an object, released after use', async () => {
    const storage = open();
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    await storage.putFile(`${dealer}/v2/original`, await incoming(bytes));
    const copy = await storage.localCopy(`${dealer}/v2/original`);
    expect((await readFile(copy.path)).equals(bytes)).toBe(true);
    await copy.release();
    expect(existsSync(copy.path)).toBe(!temporaryCopies);
    expect((await storage.read(`${dealer}/v2/original`))?.sizeBytes).toBe(bytes.length);
  });

  it('publishes an output folder under its prefix (hidden staging folders left out)', async () => {
    const storage = open();
    const out = await storage.outputFolder(`${dealer}/v3`);
    await mkdir(join(out.dir, 'car-1'), { recursive: true });
    await mkdir(join(out.dir, '.lotreel-staging-x'), { recursive: true });
    await writeFile(join(out.dir, 'car-1', '01.jpg'), 'photo one');
    await writeFile(join(out.dir, 'car-1', '02.jpg'), 'photo two');
    await writeFile(join(out.dir, 'result.json'), '{}');
    await writeFile(join(out.dir, '.lotreel-staging-x', 'half.jpg'), 'half');
    await out.publish();
    expect(await text((await storage.read(`${dealer}/v3/car-1/01.jpg`))!.stream)).toBe('photo one');
    expect(await text((await storage.read(`${dealer}/v3/car-1/02.jpg`))!.stream)).toBe('photo two');
    expect((await storage.read(`${dealer}/v3/result.json`))?.sizeBytes).toBe(2);
    await out.release();
    if (temporaryCopies) {
      expect(existsSync(out.dir)).toBe(false);
      expect(await s3.keys()).not.toContain(`${dealer}/v3/.lotreel-staging-x/half.jpg`);
    }
  });

  it('removes everything under a prefix and nothing beside it', async () => {
    const storage = open();
    for (let i = 1; i <= 5; i++) await storage.putFile(`${dealer}/v4/car-1/0${i}.jpg`, await incoming(`p${i}`));
    await storage.putFile(`${dealer}/v4/original`, await incoming('o'));
    await storage.putFile(`${dealer}/v44/original`, await incoming('sibling'));
    await storage.removeAll(`${dealer}/v4`);
    for (const key of [`${dealer}/v4/original`, `${dealer}/v4/car-1/01.jpg`, `${dealer}/v4/car-1/05.jpg`]) expect(await storage.read(key), key).toBeNull();
    expect(await text((await storage.read(`${dealer}/v44/original`))!.stream)).toBe('sibling');
    await storage.removeAll(`${dealer}/v4`); // nothing left: still fine
    await storage.removeAll(`${dealer}/never-there`);
  });

  it('refuses keys that could leave the store', async () => {
    const storage = open();
    const source = await incoming('x');
    for (const bad of ['../x', `${dealer}/../x`, '/etc/passwd', `${dealer}//x`, `${dealer}/a b`, '']) {
      for (const attempt of [
        () => storage.putFile(bad, source),
        () => storage.read(bad),
        () => storage.localCopy(bad),
        () => storage.removeAll(bad),
        () => storage.outputFolder(bad),
      ]) {
        const error = await attempt().then(() => null, (e: unknown) => e);
        expect(isLotreelError(error, 'INVALID_ARGUMENT'), `${bad}: ${String(error)}`).toBe(true);
      }
    }
    expect(existsSync(source)).toBe(true);
  });
});

describe('S3Storage', () => {
  it('is refused with a wrong secret (signatures checked on the wire), as STORAGE_FAILED with the code', async () => {
    const wrong = new S3Storage({ ...s3.settings, secretAccessKey: 'not-the-secret' });
    for (const attempt of [() => wrong.read('d/v/original'), () => wrong.removeAll('d/v'), async () => wrong.putFile('d/v/original', await incoming('x'))]) {
      const error = await attempt().then(() => null, (e: unknown) => e);
      expect(isLotreelError(error, 'STORAGE_FAILED'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/answered 403 \(SignatureDoesNotMatch\)/);
    }
  });

  it("passes on the store's own refusal (an unknown key id)", async () => {
    // The signature is right for this id, so the proxy lets it through to s3rver, which knows no such key.
    const unknown = new S3Storage({ ...s3.settings, accessKeyId: 'NOT-A-KEY' });
    const error = await unknown.read('d/v/original').then(() => null, (e: unknown) => e);
    expect((error as Error).message).toMatch(/GET d\/v\/original answered 403 \(InvalidAccessKeyId\)/);
  });

  it('pages through long listings when removing', async () => {
    const storage = new S3Storage(s3.settings, { listPageSize: 3 });
    for (let i = 0; i < 8; i++) await storage.putFile(`paging/v/f${i}`, await incoming(String(i)));
    expect((await s3.keys()).filter((k) => k.startsWith('paging/'))).toHaveLength(8);
    await storage.removeAll('paging/v');
    expect((await s3.keys()).filter((k) => k.startsWith('paging/'))).toEqual([]);
  });

  it('tells its size by HEAD', async () => {
    const storage = new S3Storage(s3.settings);
    await storage.putFile('head/v/original', await incoming('12345'));
    expect(await storage.size('head/v/original')).toBe(5);
    expect(await storage.size('head/v/missing')).toBeNull();
  });

  it('fails with STORAGE_FAILED, one line, when the server is not there', async () => {
    const storage = new S3Storage({ ...s3.settings, endpoint: 'http://127.0.0.1:9', timeoutMs: 2000 });
    const error = await storage.read('d/v/original').then(() => null, (e: unknown) => e);
    expect(isLotreelError(error, 'STORAGE_FAILED')).toBe(true);
    expect((error as Error).message).not.toContain('\n');
  });

  it('is what the configuration selects', () => {
    const base = { HOME: scratch, LOTREEL_DATA_DIR: scratch };
    expect(openStorage(loadConfig(base)).kind).toBe('local');
    const config = loadConfig({ ...base, ...s3.env });
    expect(config.storage).toMatchObject({ kind: 's3', endpoint: s3.endpoint, bucket: 'lotreel', region: 'us-east-1', pathStyle: true });
    expect(openStorage(config).kind).toBe('s3');
    // AWS itself: virtual-hosted addressing in the region by default.
    const aws = loadConfig({ ...base, ...s3.env, LOTREEL_S3_ENDPOINT: undefined, LOTREEL_S3_REGION: 'eu-west-1' });
    expect(aws.storage).toMatchObject({ endpoint: 'https://s3.eu-west-1.amazonaws.com', pathStyle: false });
  });

  it('reports every missing or invalid S3 setting together, in one line', () => {
    const attempt = (env: Record<string, string>) => {
      try {
        loadConfig({ HOME: scratch, ...env });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const message = attempt({ LOTREEL_STORAGE: 's3' });
    expect(message).toMatch(/LOTREEL_S3_BUCKET.*LOTREEL_S3_ACCESS_KEY_ID.*LOTREEL_S3_SECRET_ACCESS_KEY/);
    expect(message).not.toContain('\n');
    expect(attempt({ LOTREEL_STORAGE: 'gcs' })).toMatch(/LOTREEL_STORAGE/);
    expect(attempt({ ...s3.env, LOTREEL_S3_ENDPOINT: 'ftp://x' })).toMatch(/LOTREEL_S3_ENDPOINT/);
    expect(attempt({ ...s3.env, LOTREEL_S3_BUCKET: 'Bad_Bucket' })).toMatch(/LOTREEL_S3_BUCKET/);
    expect(attempt({ LOTREEL_S3_BUCKET: 'unused-when-local' })).toBe('');
  });
});
