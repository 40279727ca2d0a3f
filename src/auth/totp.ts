import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';

/** RFC 6238 defaults every authenticator app understands: SHA-1, 6 digits, 30-second steps. */
const PERIOD_SECONDS = 30;
const ISSUER = 'Реестр Профсоюза образования';
/** One step either side: a phone clock a little off, or a code typed as it changed. */
const WINDOW = 1;

function totpOf(secretBase32: string, label = 'user'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

/** A new 160-bit secret (RFC 4226's recommended length), in base32 as apps take it. */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

/** The key as a person types it into an app: groups of four. */
export function formatManualKey(secretBase32: string): string {
  return secretBase32.replace(/(.{4})(?=.)/g, '$1 ');
}

/** The enrolment QR code as a data: URL image (the CSP allows `img-src data:`, and no script is needed). */
export async function enrolmentQrCode(secretBase32: string, username: string): Promise<string> {
  return QRCode.toDataURL(totpOf(secretBase32, username).toString(), {
    errorCorrectionLevel: 'M',
    margin: 2,
    width: 240,
  });
}

/**
 * The time step the code belongs to, or null when it is no valid code now. The caller refuses a step at or
 * before the last one accepted, so a code seen over someone's shoulder cannot be used again in its window.
 */
export function totpStepOf(secretBase32: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secretBase32).validate({ token: code, timestamp: now, window: WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}
