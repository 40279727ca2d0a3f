import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { describeDevice } from '../../src/account/device';
import { secondFactorRequired } from '../../src/access/second-factor';
import { describeChanges } from '../../src/audit/labels';
import { loadConfig } from '../../src/config';
import { newRecoveryCodes, recoveryCodeHash, RECOVERY_CODE_COUNT } from '../../src/auth/recovery-codes';
import { formatManualKey, newTotpSecret, totpStepOf } from '../../src/auth/totp';

const T = Date.UTC(2026, 10, 29, 6, 0, 10); // 10 s into a 30-second step
const codeAt = (secret: string, at: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: at });

describe('TOTP codes (RFC 6238)', () => {
  it('accepts the code of the current step and of one step either side, naming the step; refuses older, newer and malformed ones', () => {
    const secret = newTotpSecret();
    const step = Math.floor(T / 30_000);
    expect(totpStepOf(secret, codeAt(secret, T), T)).toBe(step);
    expect(totpStepOf(secret, codeAt(secret, T - 30_000), T)).toBe(step - 1);
    expect(totpStepOf(secret, codeAt(secret, T + 30_000), T)).toBe(step + 1);
    expect(totpStepOf(secret, codeAt(secret, T - 90_000), T)).toBeNull();
    expect(totpStepOf(secret, codeAt(secret, T + 90_000), T)).toBeNull();
    for (const junk of ['', '12345', '1234567', 'abcdef', ' 123456']) expect(totpStepOf(secret, junk, T)).toBeNull();
  });

  it('makes 160-bit base32 secrets, shown in groups of four for typing', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(formatManualKey('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
  });
});

describe('recovery codes', () => {
  it('are ten distinct codes whose digest ignores case, spaces and dashes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(recoveryCodeHash(codes[0]!.toUpperCase().replace(/-/g, ' '))).toBe(recoveryCodeHash(codes[0]!));
    expect(recoveryCodeHash(codes[0]!)).not.toContain(codes[0]!.replace(/-/g, ''));
  });
});

describe('who must have a second factor', () => {
  const grant = (role: 'admin' | 'coordinator' | 'chair' | 'statistician' | 'member') => ({
    role,
    organizationId: 1,
    organizationPath: '1',
    organizationLevel: 'union',
    organizationInpo: '',
    organizationName: '',
  });
  it('admins and coordinators must; chairs, statisticians and members need not; the requirement is on unless TOTP_REQUIRED=false', () => {
    expect(secondFactorRequired({ grants: [grant('chair'), grant('coordinator')] })).toBe(true);
    expect(secondFactorRequired({ grants: [grant('admin')] })).toBe(true);
    expect(secondFactorRequired({ grants: [grant('chair'), grant('statistician'), grant('member')] })).toBe(false);
    expect(loadConfig({}).totpRequired).toBe(true);
    expect(loadConfig({ TOTP_REQUIRED: 'false' }).totpRequired).toBe(false);
  });
});

describe('words for people', () => {
  it('names a device by browser and system, and an audit change by Russian field names with old → new', () => {
    expect(
      describeDevice(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
      ),
    ).toBe('Chrome (Windows)');
    expect(
      describeDevice(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari (iOS)');
    expect(describeDevice(undefined)).toBe('неизвестное устройство');
    expect(
      describeChanges(
        { surname: 'Петрова', phone: null },
        { surname: 'Иванова', phone: '+79001234567', isPedagogical: true },
      ),
    ).toEqual([
      { field: 'Фамилия', old: 'Петрова', new: 'Иванова' },
      { field: 'Телефон', old: '—', new: '+79001234567' },
      { field: 'Педагогический работник', old: null, new: 'да' },
    ]);
  });
});
