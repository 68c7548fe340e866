/** API tokens: 32 random bytes shown once; only their SHA-256 is stored. */
import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'lr_';

export function newApiToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A token's shape, checked before any lookup (prefix + 43 base64url characters). */
export const looksLikeApiToken = (token: string): boolean => /^lr_[A-Za-z0-9_-]{43}$/.test(token);
