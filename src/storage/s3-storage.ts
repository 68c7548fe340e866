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
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import type { StorageConfig } from '../config/config.js';
import { asLotreelError, isLotreelError, LotreelError } from '../core/errors.js';
import { DEFAULT_S3_RETRY, isRetryableAnswer, withRetries, type RetryPolicy } from './retry.js';
import { DEFAULT_PART_BYTES, MIN_PART_BYTES, multipartUpload } from './s3-multipart.js';
import { escapeXml, readAll, xmlText, type S3Call, type S3Request } from './s3-wire.js';
import { amzDate, authorization, EMPTY_SHA256, encodePath, encodeQuery, sha256Hex, UNSIGNED_PAYLOAD } from './sigv4.js';
import { checkKey, type LocalCopy, type OutputFolder, type PutOptions, type Storage, type StoredObject } from './storage.js';

export type S3Settings = Extract<StorageConfig, { kind: 's3' }>;

/** Uploads of one published folder running at once. */
const PUBLISH_CONCURRENCY = 4;
/** Keys one DeleteObjects request removes (S3's limit). */
const DELETE_BATCH = 1000;
/** Local file errors: retrying the request would not help. */
const LOCAL_FILE_ERRORS = new Set(['ENOENT', 'EISDIR', 'EACCES', 'EPERM']);

export interface S3Options {
  /** At most S3's 1000; only made small by tests of paging. */
  listPageSize?: number;
  /** Files larger than this go up as a multipart upload in parts of this size (at least 5 MiB; default 64 MiB). */
  partSizeBytes?: number;
  /** Retries of every idempotent request on 5xx, 429/SlowDown, timeouts and dropped connections. */
  retry?: RetryPolicy;
}

export class S3Storage implements Storage {
  readonly kind = 's3' as const;
  readonly #settings: S3Settings;
  readonly #endpoint: URL;

  readonly #listPageSize: number;
  readonly #partSizeBytes: number;
  readonly #retry: RetryPolicy;

  constructor(settings: S3Settings, options: S3Options = {}) {
    this.#settings = settings;
    this.#listPageSize = options.listPageSize ?? 1000;
    this.#partSizeBytes = options.partSizeBytes ?? DEFAULT_PART_BYTES;
    if (!(this.#partSizeBytes >= MIN_PART_BYTES)) throw new LotreelError('INVALID_CONFIG', `the S3 part size must be at least ${MIN_PART_BYTES} bytes (S3's minimum)`);
    this.#retry = options.retry ?? DEFAULT_S3_RETRY;
    this.#endpoint = new URL(settings.endpoint);
  }

  async putFile(key: string, localPath: string, options: PutOptions = {}): Promise<void> {
    await this.#putObject(checkKey(key), localPath);
    if (!options.keepSource) await rm(localPath, { force: true });
  }

  /** One PUT up to the part size, a multipart upload above it. */
  async #putObject(key: string, file: string): Promise<void> {
    const size = (await stat(file)).size;
    if (size > this.#partSizeBytes) return multipartUpload(this.#call, key, file, size, this.#partSizeBytes);
    await readAll(await this.#call({ method: 'PUT', key, body: { file, size } }, [200], `PUT ${key}`));
  }

  async localCopy(key: string): Promise<LocalCopy> {
    const dir = await mkdtemp(join(tmpdir(), 'lotreel-s3-'));
    const release = () => rm(dir, { recursive: true, force: true });
    try {
      const path = join(dir, key.split('/').at(-1)!);
      // A download cut off half-way starts again (into the same file); refusals were retried by #call.
      await withRetries(this.#retry, async () => {
        const response = await this.#call({ method: 'GET', key: checkKey(key) }, [200, 404], `GET ${key}`);
        if (response.statusCode === 404) {
          response.resume();
          throw new LotreelError('INPUT_MISSING', `no stored object ${key}`);
        }
        await pipeline(response, createWriteStream(path)).catch((error: unknown) => {
          throw new LotreelError('STORAGE_FAILED', `S3 GET ${key} cut off: ${asLotreelError(error).message}`, { cause: error, details: { cutOff: true } });
        });
      }, (error) => isLotreelError(error, 'STORAGE_FAILED') && error.details?.cutOff === true);
      return { path, release };
    } catch (error) {
      await release();
      throw this.#wrap(error, 'GET', key, false);
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
          await this.#putObject(key, file);
        }
      };
      await Promise.all(Array.from({ length: PUBLISH_CONCURRENCY }, upload));
      await release();
    };
    return { dir, publish, release };
  }

  async read(key: string): Promise<StoredObject | null> {
    const response = await this.#call({ method: 'GET', key: checkKey(key) }, [200, 404], `GET ${key}`);
    if (response.statusCode === 404) {
      response.resume();
      return null;
    }
    return { stream: response, sizeBytes: Number(response.headers['content-length'] ?? 0) };
  }

  /** The object's size, or null when there is none (HeadObject). */
  async size(key: string): Promise<number | null> {
    const response = await this.#call({ method: 'HEAD', key: checkKey(key) }, [200, 404], `HEAD ${key}`);
    response.resume();
    if (response.statusCode === 404) return null;
    return Number(response.headers['content-length'] ?? 0);
  }

  async listNames(prefix: string): Promise<string[]> {
    const folder = `${checkKey(prefix)}/`;
    return [...new Set((await this.#listKeys(folder)).map((key) => key.slice(folder.length).split('/')[0]!))];
  }

  /**
   * Every key under `folder`. ListObjects with a marker (the last key of the page before; keys come
   * sorted): every S3-compatible server pages it alike, where ListObjectsV2's continuation tokens fail
   * on some (s3rver makes them with DES, which OpenSSL 3 refuses).
   */
  async #listKeys(folder: string): Promise<string[]> {
    const keys: string[] = [];
    for (let truncated = true; truncated; ) {
      const after = keys.at(-1);
      const query: Record<string, string> = { 'max-keys': String(this.#listPageSize), prefix: folder, ...(after ? { marker: after } : {}) };
      const xml = await readAll(await this.#call({ method: 'GET', query }, [200], `list ${folder}`));
      const page = xmlText(xml, 'Key');
      keys.push(...page);
      truncated = xmlText(xml, 'IsTruncated')[0] === 'true' && page.length > 0;
    }
    return keys;
  }

  async removeAll(prefix: string): Promise<void> {
    const folder = `${checkKey(prefix)}/`;
    // Listed in full first: deleting while paging could shift the pages.
    const keys = await this.#listKeys(folder);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>${batch.map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`).join('')}</Delete>`);
      const headers = { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(body).digest('base64') };
      const response = await this.#deleteObjects(headers, body);
      if (response === null) {
        // Servers without DeleteObjects (or whose batch failed, as s3rver's does on objects in one
        // folder): one DeleteObject per key, as idempotent.
        for (const key of batch) await readAll(await this.#call({ method: 'DELETE', key }, [200, 204], `DELETE ${key}`));
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
      outgoing.on('error', (error) => reject(this.#wrap(error, request.method, request.key ?? '', true)));
      const range = file && file.size > 0 ? { start: file.start ?? 0, end: (file.start ?? 0) + file.size - 1 } : undefined;
      if (file) pipeline(createReadStream(file.file, range), outgoing).catch((error: unknown) => outgoing.destroy(error as Error));
      else outgoing.end(bytes);
    }).then((response) => {
      // A stalled download fails instead of hanging its reader.
      response.setTimeout(timeoutMs, () => response.destroy(new LotreelError('STORAGE_FAILED', `S3 stopped sending ${request.key ?? ''}`)));
      return response;
    });
  }

  /** DeleteObjects' answer, or null when the server refuses it for good (then keys go one by one). */
  async #deleteObjects(headers: Record<string, string>, body: Buffer): Promise<IncomingMessage | null> {
    try {
      return await this.#call({ method: 'POST', query: { delete: '' }, headers, body }, [200], 'DeleteObjects');
    } catch (error) {
      if (isLotreelError(error, 'STORAGE_FAILED') && typeof error.details?.status === 'number') return null;
      throw error;
    }
  }

  /**
   * A request with its retries (S3Call): 5xx, 429/SlowDown, timeouts and dropped connections are
   * tried again with backoff while tries are left, unless the request is not idempotent; any other
   * answer than `ok` throws STORAGE_FAILED with S3's error code.
   */
  readonly #call: S3Call = async (request, ok, what, options = {}) => {
    let tries = 0;
    try {
      return await withRetries(
        this.#retry,
        async () => {
          tries++;
          const response = await this.#send(request);
          if (ok.includes(response.statusCode ?? 0)) return response;
          throw await this.#refusal(response, what);
        },
        (error) => options.idempotent !== false && isLotreelError(error, 'STORAGE_FAILED') && error.details?.retryable === true,
      );
    } catch (error) {
      if (tries <= 1 || !isLotreelError(error)) throw error;
      throw new LotreelError(error.code, `${error.message} (${tries} tries)`, { cause: error.cause, details: error.details });
    }
  };

  /** STORAGE_FAILED with S3's error code, and whether another try could succeed. */
  async #refusal(response: IncomingMessage, what: string): Promise<LotreelError> {
    const status = response.statusCode ?? 0;
    const body = await readAll(response).catch(() => '');
    const code = xmlText(body, 'Code')[0];
    return new LotreelError('STORAGE_FAILED', `S3 ${what} answered ${status} (${code ?? 'no error code'})`, {
      details: { status, code: code ?? null, retryable: isRetryableAnswer(status, code) },
    });
  }

  /** A failure without an answer (timeout, dropped connection: `retryable`; a local file error: not). */
  #wrap(error: unknown, method: string, key: string, retryable: boolean): LotreelError {
    if (error instanceof LotreelError) return error;
    const local = LOCAL_FILE_ERRORS.has((error as NodeJS.ErrnoException).code ?? '') && (error as NodeJS.ErrnoException).syscall === 'open';
    return new LotreelError('STORAGE_FAILED', `S3 ${method} ${key} failed: ${(error as Error).message ?? String(error)}`.split('\n')[0]!, {
      cause: error,
      details: { retryable: retryable && !local },
    });
  }
}

/** Every file under `dir` but those in hidden folders (a dead attempt's staging folder). */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !relative(dir, file).split(sep).some((part) => part.startsWith('.')));
}
