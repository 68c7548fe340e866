import { describe, expect, it } from 'vitest';
import { checkImageLink, linkExpiry, signedImagePath } from '../../../src/service/image-links.js';

const photo = '7b0c8a57-6a52-4a7e-9a7a-1e0f1d2c3b4a';
const key = 'a'.repeat(64);

describe('published image links', () => {
  it('round the expiry up to the hour, so a feed fetched twice in the hour lists the same links', () => {
    const now = Date.UTC(2026, 0, 1, 10, 20);
    expect(linkExpiry(1, now)).toBe(Date.UTC(2026, 0, 2, 11) / 1000);
    expect(linkExpiry(1, now + 60_000)).toBe(linkExpiry(1, now));
  });

  it('hold under the key they were signed with, until they expire', () => {
    const now = Date.UTC(2026, 0, 1);
    const expires = linkExpiry(30, now);
    const path = signedImagePath(photo, key, expires);
    const url = new URL(path, 'https://lot.example');
    expect(url.pathname).toBe(`/public/photos/${photo}/image.jpg`);
    const signature = url.searchParams.get('signature')!;
    expect(Number(url.searchParams.get('expires'))).toBe(expires);
    expect(checkImageLink(photo, key, expires, signature, now)).toBe('ok');
    expect(checkImageLink(photo, key, expires, signature, expires * 1000)).toBe('expired');
  });

  it('fail when altered or after the key changed (revoked)', () => {
    const expires = linkExpiry(30);
    const signature = new URL(signedImagePath(photo, key, expires), 'https://x').searchParams.get('signature')!;
    expect(checkImageLink(photo, 'b'.repeat(64), expires, signature)).toBe('bad_signature');
    expect(checkImageLink(photo, key, expires + 3600, signature)).toBe('bad_signature');
    expect(checkImageLink(photo.replace('7b', '7c'), key, expires, signature)).toBe('bad_signature');
    expect(checkImageLink(photo, key, expires, signature.slice(1))).toBe('bad_signature');
  });
});
