/**
 * The SigV4 signer against the worked examples of AWS's S3 documentation ("Signature calculations
 * for the Authorization header: transferring payload in a single chunk"): canonical request, string
 * to sign and signature for GET, PUT, a sub-resource and a listing.
 */
import { describe, expect, it } from 'vitest';
import { amzDate, authorization, canonicalRequest, EMPTY_SHA256, sha256Hex, signature, stringToSign, type SigV4Request } from '../../../src/storage/sigv4.js';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1', service: 's3' };
const date = new Date('2013-05-24T00:00:00Z');
const base = { host: 'examplebucket.s3.amazonaws.com', 'x-amz-date': '20130524T000000Z' };
const putBody = 'Welcome to Amazon S3.';

const cases: Array<{ name: string; request: SigV4Request; canonicalHash: string; signature: string }> = [
  {
    name: 'GET object with a range',
    request: { method: 'GET', path: '/test.txt', headers: { ...base, Range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_SHA256 }, payloadHash: EMPTY_SHA256 },
    canonicalHash: '7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972',
    signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  },
  {
    name: 'PUT object whose key needs encoding',
    request: {
      method: 'PUT',
      path: '/test$file.text',
      headers: { ...base, Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY', 'x-amz-content-sha256': sha256Hex(putBody) },
      payloadHash: sha256Hex(putBody),
    },
    canonicalHash: '9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d',
    signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
  },
  {
    name: 'GET a bucket sub-resource (?lifecycle)',
    request: { method: 'GET', path: '/', query: { lifecycle: '' }, headers: { ...base, 'x-amz-content-sha256': EMPTY_SHA256 }, payloadHash: EMPTY_SHA256 },
    canonicalHash: '9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca',
    signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
  },
  {
    name: 'list objects (query parameters sorted)',
    request: { method: 'GET', path: '/', query: { prefix: 'J', 'max-keys': '2' }, headers: { ...base, 'x-amz-content-sha256': EMPTY_SHA256 }, payloadHash: EMPTY_SHA256 },
    canonicalHash: 'df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7',
    signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
  },
];

describe('SigV4 signer (AWS S3 documentation examples)', () => {
  it('formats the request date', () => {
    expect(amzDate(new Date('2013-05-24T01:02:03.456Z'))).toBe('20130524T010203Z');
  });

  it.each(cases)('$name', ({ request, canonicalHash, signature: expected }) => {
    expect(stringToSign(request, credentials, date).split('\n')).toEqual(['AWS4-HMAC-SHA256', '20130524T000000Z', '20130524/us-east-1/s3/aws4_request', canonicalHash]);
    expect(signature(request, credentials, date)).toBe(expected);
  });

  it('writes the canonical request of the PUT example line by line', () => {
    expect(canonicalRequest(cases[1]!.request).split('\n').slice(0, 3)).toEqual(['PUT', '/test%24file.text', '']);
  });

  it('builds the Authorization header', () => {
    expect(authorization(cases[0]!.request, credentials, date)).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('changes with the secret, the date and the region', () => {
    const request = cases[0]!.request;
    const reference = signature(request, credentials, date);
    expect(signature(request, { ...credentials, secretAccessKey: 'other' }, date)).not.toBe(reference);
    expect(signature(request, credentials, new Date('2013-05-25T00:00:00Z'))).not.toBe(reference);
    expect(signature(request, { ...credentials, region: 'eu-west-1' }, date)).not.toBe(reference);
  });
});
