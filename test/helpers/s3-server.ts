/**
 * A real S3-compatible server on loopback (s3rver) with one empty bucket, for the storage tests.
 * s3rver checks the key id and the form of a SigV4 header but not the signature, so a small proxy in
 * front of it recomputes every signature from the request as it arrived on the wire (path and query
 * as sent, the headers it names, the payload hash it declares and, for small bodies, the body itself)
 * and answers 403 SignatureDoesNotMatch on a mismatch. s3rver lacks AbortMultipartUpload: the proxy
 * does it (removes the upload's parts). Faults are injected there too: a matching request is answered
 * with an error status or its connection dropped, after its body was read.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3Settings } from '../../src/storage/s3-storage.js';
import { signature, UNSIGNED_PAYLOAD } from '../../src/storage/sigv4.js';

export const S3_BUCKET = 'lotreel';

/** What the proxy does instead of forwarding a request. */
export type S3Fault = { status: number; code: string } | 'drop';

export interface S3FaultRule {
  /** Which requests: method, path and query as sent (e.g. `PUT /lotreel/k?partNumber=2&uploadId=...`). */
  match: (request: { method: string; url: string }) => boolean;
  fault: S3Fault;
  /** How many matching requests get the fault (then the rule is spent). */
  times: number;
}

export interface S3TestServer {
  endpoint: string;
  settings: S3Settings;
  /** The LOTREEL_* variables that point the service at this server. */
  env: Record<string, string>;
  /** Object keys the server holds, read from its folder (independent of the client under test). */
  keys(): Promise<string[]>;
  /** Multipart uploads started and neither completed nor aborted. */
  openUploads(): Promise<string[]>;
  /** Adds a fault rule; the first live rule matching a request applies. */
  inject(rule: S3FaultRule): void;
  /** Removes every fault rule. */
  clearFaults(): void;
  /** Every request the proxy saw (`METHOD url`), faulted ones included. */
  readonly seen: string[];
  close(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'lotreel-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: S3_BUCKET }] });
  const { port } = await server.run();
  const uploadsDir = join(directory, S3_BUCKET, '._S3rver_uploads');
  const faults: S3FaultRule[] = [];
  const seen: string[] = [];
  const proxy = http.createServer((req, res) => void verifyAndForward(req, res, port, { faults, seen, uploadsDir }));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
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
    async openUploads() {
      return readdir(uploadsDir).catch(() => [] as string[]);
    },
    inject(rule) {
      faults.push({ ...rule });
    },
    clearFaults() {
      faults.length = 0;
    },
    seen,
    async close() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      // A response the proxy stopped reading (its client gone) would hold s3rver's close forever.
      (server as unknown as { httpServer?: http.Server }).httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

const SECRET = 'S3RVER';
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request,SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{64})$/;

interface ProxyState {
  faults: S3FaultRule[];
  seen: string[];
  uploadsDir: string;
}

async function verifyAndForward(req: IncomingMessage, res: ServerResponse, targetPort: number, state: ProxyState): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const request = { method: req.method ?? 'GET', url: req.url ?? '/' };
  state.seen.push(`${request.method} ${request.url}`);
  const rule = state.faults.find((f) => f.times > 0 && f.match(request));
  if (rule) {
    rule.times--;
    if (rule.fault === 'drop') req.socket.destroy();
    else res.writeHead(rule.fault.status, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${rule.fault.code}</Code></Error>`);
    return;
  }
  const match = AUTH.exec(req.headers.authorization ?? '');
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  const stamp = String(req.headers['x-amz-date'] ?? '');
  let valid = false;
  if (match && /^\d{8}T\d{6}Z$/.test(stamp) && stamp.startsWith(match[2]!)) {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const path = url.pathname.split('/').map(decodeURIComponent).join('/');
    const headers = Object.fromEntries(match[4]!.split(';').map((name) => [name, String(req.headers[name] ?? '')]));
    const date = new Date(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`);
    const expected = signature({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), headers, payloadHash }, { accessKeyId: match[1]!, secretAccessKey: SECRET, region: match[3]!, service: 's3' }, date);
    const bodyMatches = payloadHash === UNSIGNED_PAYLOAD || createHash('sha256').update(body).digest('hex') === payloadHash;
    valid = expected === match[5] && bodyMatches && 'host' in headers;
  }
  if (!valid) {
    res.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code></Error>');
    return;
  }
  const uploadId = new URL(request.url, 'http://proxy').searchParams.get('uploadId');
  if (request.method === 'DELETE' && uploadId !== null) {
    // AbortMultipartUpload, which s3rver answers 405: its parts are dropped here.
    const known = /^[0-9a-f]+$/.test(uploadId) && (await readdir(state.uploadsDir).catch(() => [] as string[])).includes(uploadId);
    if (known) await rm(join(state.uploadsDir, uploadId), { recursive: true, force: true });
    res.writeHead(known ? 204 : 404).end(known ? undefined : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code></Error>');
    return;
  }
  const forward = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 500, answer.headers);
    answer.pipe(res);
  });
  forward.on('error', () => res.destroy());
  forward.end(body);
}
