/**
 * A large file into S3 as a multipart upload: parts of a fixed size (S3: at least 5 MiB but the last,
 * at most 10,000 parts, objects up to 5 TiB, where one PUT stops at 5 GiB) sent a few at a time, each
 * retried on its own (a part is idempotent); on any failure the upload is aborted, so no object and
 * no stored parts are left.
 */
import { LotreelError } from '../core/errors.js';
import { escapeXml, readAll, xmlText, type S3Call } from './s3-wire.js';

/** S3's smallest part (all but the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const DEFAULT_PART_BYTES = 64 * 1024 * 1024;
const MAX_PARTS = 10_000;
/** Parts of one upload in flight at once. */
const PART_CONCURRENCY = 4;

/** The part size for a file: the configured one, raised when the file would need more than 10,000 parts. */
export function partSizeFor(sizeBytes: number, configuredBytes: number): number {
  return Math.max(configuredBytes, Math.ceil(sizeBytes / MAX_PARTS));
}

export async function multipartUpload(call: S3Call, key: string, file: string, sizeBytes: number, configuredPartBytes: number): Promise<void> {
  const partBytes = partSizeFor(sizeBytes, configuredPartBytes);
  // Not idempotent (each call starts another upload): sent once; a failure fails the whole put.
  const created = await readAll(await call({ method: 'POST', key, query: { uploads: '' } }, [200], `start multipart ${key}`, { idempotent: false }));
  const uploadId = xmlText(created, 'UploadId')[0];
  if (!uploadId) throw new LotreelError('STORAGE_FAILED', `S3 start multipart ${key} answered without an UploadId`);
  try {
    const etags = await uploadParts(call, key, uploadId, file, sizeBytes, partBytes);
    const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`).join('');
    const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`);
    const answer = await readAll(await call({ method: 'POST', key, query: { uploadId }, headers: { 'content-type': 'application/xml' }, body }, [200], `complete multipart ${key}`));
    // S3 may fail a completion after its 200 has gone out: the error is then the body.
    const code = answer.includes('<Error>') ? (xmlText(answer, 'Code')[0] ?? 'no error code') : null;
    if (code !== null) throw new LotreelError('STORAGE_FAILED', `S3 complete multipart ${key} failed (${code})`, { details: { code } });
  } catch (error) {
    await abort(call, key, uploadId, error);
    throw error;
  }
}

async function uploadParts(call: S3Call, key: string, uploadId: string, file: string, sizeBytes: number, partBytes: number): Promise<string[]> {
  const count = Math.ceil(sizeBytes / partBytes);
  const etags: string[] = new Array<string>(count);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < count && !failed; index = next++) {
      const start = index * partBytes;
      const size = Math.min(partBytes, sizeBytes - start);
      const what = `PUT ${key} part ${index + 1}/${count}`;
      const response = await call({ method: 'PUT', key, query: { partNumber: String(index + 1), uploadId }, body: { file, size, start } }, [200], what);
      await readAll(response);
      const etag = response.headers.etag;
      if (!etag) throw new LotreelError('STORAGE_FAILED', `S3 ${what} answered without an ETag`);
      etags[index] = etag;
    }
  };
  // Every worker is waited for (none still sending once the upload is aborted); the first failure wins.
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(PART_CONCURRENCY, count) }, () =>
      worker().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  return etags;
}

async function abort(call: S3Call, key: string, uploadId: string, cause: unknown): Promise<void> {
  try {
    await readAll(await call({ method: 'DELETE', key, query: { uploadId } }, [200, 204, 404], `abort multipart ${key}`));
  } catch (abortError) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new LotreelError('STORAGE_FAILED', `${message}; aborting multipart upload ${uploadId} failed too: ${(abortError as Error).message}`, { cause });
  }
}
