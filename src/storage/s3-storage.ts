/**
 * Originals and photos in an S3-compatible bucket (AWS S3, MinIO, R2, ...), signed with SigV4. Uploads
 * stream a local file with its length (UNSIGNED-PAYLOAD: the bytes are not read twice); reads stream
 * the object; ffmpeg and the editor get a temporary download that `release` removes; the pipeline
 * writes into a temporary folder that `publish` uploads.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import type { StorageConfig } from '../config/config.js';
import { LotreelError } from '../core/errors.js';
import { amzDate, authorization, EMPTY_SHA256, encodePath, encodeQuery, sha256Hex, UNSIGNED_PAYLOAD } from './sigv4.js';
import { checkKey, type LocalCopy, type OutputFolder, type Storage, type StoredObject } from './storage.js';

export type S3Settings = Extract<StorageConfig, { kind: 's3' }>;

interface S3Request {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer | { file: string; size: number };
}

/** Uploads of one published folder running at once. */
const PUBLISH_CONCURRENCY = 4;
/** Keys one DeleteObjects request removes (S3's limit). */
const DELETE_BATCH = 1000;

const xmlText = (xml: string, tag: string): string[] =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => unescapeXml(m[1] ?? ''));
const unescapeXml = (text: string): string =>
  text.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name] ?? '');
const escapeXml = (text: string): string => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export class S3Storage implements Storage {
  readonly kind = 's3' as const;
  readonly #settings: S3Settings;
  readonly #endpoint: URL;

  readonly #listPageSize: number;

  /** `listPageSize` (at most S3's 1000) is only made small by tests of paging. */
  constructor(settings: S3Settings, options: { listPageSize?: number } = {}) {
    this.#settings = settings;
    this.#listPageSize = options.listPageSize ?? 1000;
    this.#endpoint = new URL(settings.endpoint);
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const size = (await stat(localPath)).size;
    await this.#finish(await this.#send({ method: 'PUT', key: checkKey(key), body: { file: localPath, size } }), [200], `PUT ${key}`);
    await rm(localPath, { force: true });
  }

  async localCopy(key: string): Promise<LocalCopy> {
    const dir = await mkdtemp(join(tmpdir(), 'lotreel-s3-'));
    const release = () => rm(dir, { recursive: true, force: true });
    try {
      const response = await this.#send({ method: 'GET', key: checkKey(key) });
      if (response.statusCode === 404) {
        response.resume();
        throw new LotreelError('INPUT_MISSING', `no stored object ${key}`);
      }
      await this.#expect(response, [200], `GET ${key}`);
      const path = join(dir, key.split('/').at(-1)!);
      await pipeline(response, createWriteStream(path));
      return { path, release };
    } catch (error) {
      await release();
      throw this.#wrap(error, 'GET', key);
    }
  }

  async outputFolder(prefix: string): Promise<OutputFolder> {
    checkKey(prefix);
    const dir = await mkdtemp(join(tmpdir(), 'lotreel-s3-out-'));
    const release = () => rm(dir, { recursive: true, force: true });
    const publish = async () => {
      const files = await listFiles(dir);
      const queue = [...files];
      const upload = async (): Promise<void> => {
        for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
          const key = checkKey(`${prefix}/${relative(dir, file).split(sep).join('/')}`);
          const size = (await stat(file)).size;
          await this.#finish(await this.#send({ method: 'PUT', key, body: { file, size } }), [200], `PUT ${key}`);
        }
      };
      await Promise.all(Array.from({ length: PUBLISH_CONCURRENCY }, upload));
      await release();
    };
    return { dir, publish, release };
  }

  async read(key: string): Promise<StoredObject | null> {
    const response = await this.#send({ method: 'GET', key: checkKey(key) });
    if (response.statusCode === 404) {
      response.resume();
      return null;
    }
    await this.#expect(response, [200], `GET ${key}`);
    return { stream: response, sizeBytes: Number(response.headers['content-length'] ?? 0) };
  }

  /** The object's size, or null when there is none (HeadObject). */
  async size(key: string): Promise<number | null> {
    const response = await this.#send({ method: 'HEAD', key: checkKey(key) });
    response.resume();
    if (response.statusCode === 404) return null;
    await this.#expect(response, [200], `HEAD ${key}`);
    return Number(response.headers['content-length'] ?? 0);
  }

  async removeAll(prefix: string): Promise<void> {
    const folder = `${checkKey(prefix)}/`;
    // Listed in full first: deleting while paging could shift the pages.
    // ListObjects with a marker (the last key of the page before; keys come sorted): every S3-compatible
    // server pages it alike, where ListObjectsV2's continuation tokens fail on some (s3rver makes
    // them with DES, which OpenSSL 3 refuses).
    const keys: string[] = [];
    for (let truncated = true; truncated; ) {
      const after = keys.at(-1);
      const query: Record<string, string> = { 'max-keys': String(this.#listPageSize), prefix: folder, ...(after ? { marker: after } : {}) };
      const xml = await this.#text(await this.#send({ method: 'GET', query }), `list ${folder}`);
      const page = xmlText(xml, 'Key');
      keys.push(...page);
      truncated = xmlText(xml, 'IsTruncated')[0] === 'true' && page.length > 0;
    }
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>${batch.map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`).join('')}</Delete>`);
      const headers = { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(body).digest('base64') };
      const response = await this.#send({ method: 'POST', query: { delete: '' }, headers, body });
      if (response.statusCode !== 200) {
        // Servers without DeleteObjects (or whose batch failed, as s3rver's does on objects in one
        // folder): one DeleteObject per key, as idempotent.
        response.resume();
        for (const key of batch) await this.#finish(await this.#send({ method: 'DELETE', key }), [200, 204], `DELETE ${key}`);
        continue;
      }
      const failed = xmlText(await readAll(response), 'Code');
      if (failed.length > 0) throw new LotreelError('STORAGE_FAILED', `S3 could not delete ${failed.length} objects under ${folder}: ${failed[0]}`);
    }
  }

  /** One signed request; resolves with the response (its body not yet read). */
  #send(request: S3Request): Promise<IncomingMessage> {
    const { bucket, pathStyle, region, accessKeyId, secretAccessKey, timeoutMs } = this.#settings;
    const base = this.#endpoint;
    const host = pathStyle ? base.host : `${bucket}.${base.host}`;
    const basePath = base.pathname.replace(/\/+$/, '');
    const path = `${basePath}${pathStyle ? `/${bucket}` : ''}/${request.key ?? ''}`;
    const body = request.body;
    const file = body && 'file' in body ? body : undefined;
    const bytes = body && !('file' in body) ? body : undefined;
    const payloadHash = bytes ? sha256Hex(bytes) : file ? UNSIGNED_PAYLOAD : EMPTY_SHA256;
    const date = new Date();
    const length = bytes ? bytes.length : file?.size;
    const signed = { ...request.headers, host, 'x-amz-date': amzDate(date), 'x-amz-content-sha256': payloadHash };
    const headers: Record<string, string> = {
      ...signed,
      authorization: authorization({ method: request.method, path, query: request.query, headers: signed, payloadHash }, { accessKeyId, secretAccessKey, region, service: 's3' }, date),
      ...(length !== undefined ? { 'content-length': String(length) } : {}),
    };
    const query = encodeQuery(request.query);
    const transport = base.protocol === 'https:' ? https : http;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = transport.request(
        { protocol: base.protocol, hostname: pathStyle ? base.hostname : `${bucket}.${base.hostname}`, port: base.port || undefined, method: request.method, path: `${encodePath(path)}${query ? `?${query}` : ''}`, headers },
        resolve,
      );
      outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
      outgoing.on('error', (error) => reject(this.#wrap(error, request.method, request.key ?? '')));
      if (file) pipeline(createReadStream(file.file), outgoing).catch((error: unknown) => outgoing.destroy(error as Error));
      else outgoing.end(bytes);
    }).then((response) => {
      // A stalled download fails instead of hanging its reader.
      response.setTimeout(timeoutMs, () => response.destroy(new LotreelError('STORAGE_FAILED', `S3 stopped sending ${request.key ?? ''}`)));
      return response;
    });
  }

  /** Throws STORAGE_FAILED with S3's error code unless the status is one of `ok`. */
  async #expect(response: IncomingMessage, ok: number[], what: string): Promise<void> {
    if (ok.includes(response.statusCode ?? 0)) return;
    const body = await readAll(response).catch(() => '');
    const code = xmlText(body, 'Code')[0] ?? 'no error code';
    throw new LotreelError('STORAGE_FAILED', `S3 ${what} answered ${response.statusCode} (${code})`, { details: { status: response.statusCode, code } });
  }

  /** `#expect`, then the (unneeded) body read to its end so the connection can be reused. */
  async #finish(response: IncomingMessage, ok: number[], what: string): Promise<void> {
    await this.#expect(response, ok, what);
    await readAll(response);
  }

  async #text(response: IncomingMessage, what: string): Promise<string> {
    await this.#expect(response, [200], what);
    return readAll(response);
  }

  #wrap(error: unknown, method: string, key: string): LotreelError {
    if (error instanceof LotreelError) return error;
    return new LotreelError('STORAGE_FAILED', `S3 ${method} ${key} failed: ${(error as Error).message ?? String(error)}`.split('\n')[0]!, { cause: error });
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Every file under `dir` but those in hidden folders (a dead attempt's staging folder). */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !relative(dir, file).split(sep).some((part) => part.startsWith('.')));
}
