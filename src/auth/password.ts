import crypto from 'node:crypto';
import bcrypt from 'bcrypt';

/**
 * bcrypt reads only 72 bytes, and a Cyrillic letter takes two: a 40-letter Russian passphrase
 * would be cut. Hashing first (SHA-256, base64 = 44 bytes) keeps every character significant.
 */
function prehash(password: string): string {
  return crypto.createHash('sha256').update(password.normalize('NFC'), 'utf8').digest('base64');
}

export async function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(prehash(password), cost);
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(prehash(password), hash);
}

// Hash of a random password: verifying against it costs the same as against a real user,
// so response time does not tell whether a username exists.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(cost: number): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'), cost);
  return dummyHash;
}

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 200;

const FORBIDDEN_WORDS = new Set([
  'password',
  'passw0rd',
  'qwerty',
  'qwertyuiop',
  'йцукен',
  'йцукенгшщз',
  'admin',
  'administrator',
  'letmein',
  'welcome',
  'iloveyou',
  'monkey',
  'dragon',
  'master',
  'sunshine',
  'football',
  'пароль',
  'парольпароль',
  'привет',
  'любовь',
  'солнышко',
  'профсоюз',
  'profsoyuz',
  'profsouz',
  'eseur',
  'реестр',
  'reestr',
  'образование',
  'obrazovanie',
  'учитель',
  'uchitel',
  'школа',
  'shkola',
  'председатель',
  'predsedatel',
  'профком',
  'profkom',
  'abcdefgh',
  'abcdefghij',
  'abc',
  'asdfgh',
  'zxcvbn',
]);

/** Russian reason why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Пароль должен содержать не менее ${MIN_PASSWORD_LENGTH} символов`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Пароль должен содержать не более ${MAX_PASSWORD_LENGTH} символов`;
  const lower = password.toLowerCase();
  if (lower.includes(username.toLowerCase())) return 'Пароль не должен содержать имя пользователя';
  const letters = lower.replace(/[^a-zа-яё]/g, '');
  if (letters.length === 0 || FORBIDDEN_WORDS.has(letters) || /^(.)\1+$/.test(lower)) {
    return 'Пароль слишком простой: выберите фразу, которую трудно угадать';
  }
  if (new Set(lower).size < 4) return 'Пароль слишком простой: используйте больше разных символов';
  return null;
}
