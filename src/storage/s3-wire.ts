/** What the S3 store's requests are made of, shared by single and multipart uploads: the request shape and XML bits. */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

export interface S3Request {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Bytes (signed), or `size` bytes of a local file from `start` (unsigned payload, streamed). */
  body?: Buffer | { file: string; size: number; start?: number };
}

/**
 * One request with its retries: resolves with a response whose status is one of `ok` (its body not
 * yet read); `idempotent: false` (CreateMultipartUpload) sends it once.
 */
export type S3Call = (request: S3Request, ok: readonly number[], what: string, options?: { idempotent?: boolean }) => Promise<IncomingMessage>;

export const xmlText = (xml: string, tag: string): string[] =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => unescapeXml(m[1] ?? ''));
const unescapeXml = (text: string): string =>
  text.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name] ?? '');
export const escapeXml = (text: string): string => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
