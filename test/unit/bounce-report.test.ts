import { describe, expect, it } from 'vitest';
import { addressIsInvalid, enhancedStatusIn } from '../../src/mailings/bounce-codes';
import { parseBounceReport } from '../../src/mailings/dsn';
import { arfComplaint, postfixDsn } from '../support/dsn-sample';

const TOKEN = '0f8b3c2e-5d41-4e7a-9c33-1b2d3e4f5a6b';

describe('bounce reports', () => {
  it('when Postfix returns a letter (RFC 3464), then the report names its token, the recipient, the status and the reason', async () => {
    expect(await parseBounceReport(postfixDsn(TOKEN, 'ivanova@yandex.ru'))).toEqual({
      token: TOKEN,
      kind: 'bounce',
      action: 'failed',
      status: '5.1.1',
      recipient: 'ivanova@yandex.ru',
      diagnostic: '550 5.1.1 <ivanova@yandex.ru>: Recipient address rejected: User unknown in virtual mailbox table',
    });
  });

  it('when a recipient marks the letter as spam (RFC 5965), then the report is a complaint naming its token', async () => {
    expect(await parseBounceReport(arfComplaint(TOKEN, 'ivanova@hotmail.example'))).toMatchObject({
      token: TOKEN,
      kind: 'complaint',
    });
  });

  it('when a letter is no report (an auto-reply), then it is none', async () => {
    const reply = 'From: a@b.ru\r\nTo: no-reply@reestr.local\r\nSubject: Отпуск\r\n\r\nЯ в отпуске до 10 декабря.\r\n';
    expect(await parseBounceReport(reply)).toBeNull();
  });

  it('when a failure names the address (5.1.x, 5.2.1, 5.4.4) or comes at RCPT without a code, then the address is invalid; policy and content refusals are not', () => {
    expect(['5.1.1', '5.1.10', '5.2.1', '5.4.4'].map((s) => addressIsInvalid(s, false))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['5.7.1', '5.6.0', '5.2.2', '4.2.2'].map((s) => addressIsInvalid(s, true))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect([addressIsInvalid(null, true), addressIsInvalid(null, false)]).toEqual([true, false]);
    expect(enhancedStatusIn('550 5.1.1 <x@y.ru>: Recipient address rejected')).toBe('5.1.1');
    expect(enhancedStatusIn('550 No such mailbox')).toBeNull();
  });
});
