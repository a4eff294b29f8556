/**
 * API token values: `rmd_` + 32 random bytes (base64url). Only the sha256 of a token is stored,
 * so a leaked database does not leak usable tokens; the value is shown once, at creation.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'rmd_';
const TOKEN_RE = /^rmd_[A-Za-z0-9_-]{43}$/;

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Whether `s` has the shape of a token (checked before hashing, so junk never reaches the database). */
export const isWellFormedToken = (s: string): boolean => TOKEN_RE.test(s);

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time equality of two sha256 hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}
