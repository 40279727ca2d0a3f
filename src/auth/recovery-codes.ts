import crypto from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i: codes are read off paper
const CODE_LENGTH = 16;

/**
 * Ten codes of 16 characters from a 31-letter alphabet: 79 bits each. Stored as SHA-256 digests, not bcrypt:
 * a slow hash protects guessable secrets (passwords) against an offline attacker with the table, but 2^79
 * candidates are out of reach of any hash speed, so a pepper or bcrypt adds nothing here — while a digest
 * lets a code be found with one indexed lookup instead of ten bcrypt comparisons (2.5 s) per attempt.
 * Online guessing is bounded by the login throttle like the password.
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: CODE_LENGTH }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12)}`;
  });
}

/** Case, spaces and dashes as typed do not matter. */
export function normalizeRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '');
}

export function recoveryCodeHash(code: string): string {
  return crypto.createHash('sha256').update(normalizeRecoveryCode(code), 'utf8').digest('hex');
}
