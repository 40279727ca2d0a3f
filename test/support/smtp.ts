import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';

export interface SmtpCapture {
  messages: ParsedMail[];
  /** The latest letter to the address (waits a few seconds: the queue's worker delivers it after the app's response). */
  lastTo(address: string): Promise<ParsedMail>;
  /** The first link of the app in a letter's text. */
  linkIn(mail: ParsedMail): string;
  /** Acknowledges the held letters at last (their senders, if still waiting, hear «accepted»). */
  release(): void;
}

/** How the server misbehaves, for tests of delivery failures. */
export interface SmtpScript {
  /** The reply refusing a recipient at RCPT TO (4xx: try later, 5xx: for good), or undefined to accept. */
  refuse?: (address: string) => number | undefined;
  /** Letters received but never acknowledged: their sender hangs mid-send. */
  hold?: (mail: ParsedMail) => boolean;
}

/**
 * A real SMTP server on a free port for the test file; call before `useTestApp(overrides)` with the same
 * overrides object: its SMTP_URL is filled in before the app reads its configuration.
 */
export function useSmtpCapture(overrides: Record<string, string>, script: SmtpScript = {}): SmtpCapture {
  const messages: ParsedMail[] = [];
  const held: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = script.refuse?.(address.address);
      if (!code) return callback();
      callback(Object.assign(new Error(code >= 500 ? 'No such mailbox' : 'Try again later'), { responseCode: code }));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        messages.push(mail);
        if (script.hold?.(mail)) held.push(() => callback());
        else callback();
      }, callback);
    },
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    overrides.SMTP_URL = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const addressed = (mail: ParsedMail, address: string) =>
    (Array.isArray(mail.to) ? mail.to : [mail.to]).some((to) => to?.value.some((v) => v.address === address));
  return {
    messages,
    release() {
      for (const acknowledge of held.splice(0)) acknowledge();
    },
    async lastTo(address) {
      for (let i = 0; i < 250; i++) {
        const found = messages.filter((m) => addressed(m, address)).at(-1);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no letter to ${address}`);
    },
    linkIn(mail) {
      const match = /https?:\/\/\S+\/(invite|reset-password|join\/confirm)\/[A-Za-z0-9_-]+/.exec(mail.text ?? '');
      if (!match) throw new Error('no link in the letter');
      return new URL(match[0]).pathname;
    },
  };
}
