/**
 * ИНПО: 10 digits = region code (2) + sequence number (7) + Luhn check digit (1).
 * The region code says where an organization was founded; the number stays with it through moves.
 */
export const INPO_PATTERN = /^\d{10}$/;

export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function makeInpo(regionCode: number, sequence: number): string {
  if (!Number.isInteger(regionCode) || regionCode < 0 || regionCode > 99)
    throw new RangeError(`region code ${regionCode}`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 9_999_999) throw new RangeError(`sequence ${sequence}`);
  const body = String(regionCode).padStart(2, '0') + String(sequence).padStart(7, '0');
  return body + luhnCheckDigit(body);
}

export function isValidInpo(value: string): boolean {
  return INPO_PATTERN.test(value) && luhnCheckDigit(value.slice(0, 9)) === Number(value[9]);
}
