/**
 * AWS Signature Version 4 for S3 requests (header authorization), as AWS documents it: a canonical
 * request, a string to sign over its hash, and an HMAC chain from the secret key. Pure: no I/O.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** `s3` for object storage. */
  service: string;
}

export interface SigV4Request {
  method: string;
  /** The path, not yet encoded (`/bucket/a b.jpg`); each segment is encoded once, as S3 wants. */
  path: string;
  query?: Readonly<Record<string, string>>;
  /** Headers to sign, `host` included; names in any case. */
  headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** RFC 3986 encoding: everything but the unreserved characters `A-Za-z0-9-._~`. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export const encodePath = (path: string): string => path.split('/').map(uriEncode).join('/');

export function encodeQuery(query: Readonly<Record<string, string>> = {}): string {
  return Object.entries(query)
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** `20130524T000000Z`. */
export const amzDate = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function canonicalHeaders(headers: Readonly<Record<string, string>>): { text: string; signed: string } {
  const entries = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { text: entries.map(([name, value]) => `${name}:${value}\n`).join(''), signed: entries.map(([name]) => name).join(';') };
}

export function canonicalRequest(request: SigV4Request): string {
  const headers = canonicalHeaders(request.headers);
  return [request.method.toUpperCase(), encodePath(request.path), encodeQuery(request.query), headers.text, headers.signed, request.payloadHash].join('\n');
}

export function stringToSign(request: SigV4Request, credentials: SigV4Credentials, date: Date): string {
  const stamp = amzDate(date);
  const scope = `${stamp.slice(0, 8)}/${credentials.region}/${credentials.service}/aws4_request`;
  return ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonicalRequest(request))].join('\n');
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

export function signature(request: SigV4Request, credentials: SigV4Credentials, date: Date): string {
  const day = amzDate(date).slice(0, 8);
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), credentials.region), credentials.service), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign(request, credentials, date)).digest('hex');
}

/**
 * The `Authorization` header for a request whose headers already carry `x-amz-date` (= `date`) and,
 * for S3, `x-amz-content-sha256` (= `payloadHash`).
 */
export function authorization(request: SigV4Request, credentials: SigV4Credentials, date: Date): string {
  const day = amzDate(date).slice(0, 8);
  const credential = `${credentials.accessKeyId}/${day}/${credentials.region}/${credentials.service}/aws4_request`;
  return `AWS4-HMAC-SHA256 Credential=${credential},SignedHeaders=${canonicalHeaders(request.headers).signed},Signature=${signature(request, credentials, date)}`;
}
