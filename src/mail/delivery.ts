/** SMTP commands before the message itself: a failure there means the server cannot have the letter. */
const BEFORE_MESSAGE = /^(CONN|EHLO|HELO|LHLO|STARTTLS|AUTH|MAIL|RCPT)/i;

export type DeliveryVerdict = 'temporary' | 'permanent' | 'uncertain';

/**
 * What a failed hand-over means for the letter (nodemailer's error: `responseCode` is the server's reply,
 * `command` the step it failed at). A reply refuses the letter: 4xx for now (try again later), 5xx for
 * good. Without a reply, a failure before the message was transmitted is temporary; one after it is
 * uncertain — the server may have accepted the letter before the connection broke, and a letter is never
 * sent twice, so it waits for an administrator instead of a retry.
 */
export function deliveryVerdict(err: unknown): DeliveryVerdict {
  const { responseCode, command, code } = (err ?? {}) as { responseCode?: number; command?: string; code?: string };
  if (typeof responseCode === 'number' && responseCode >= 500) return 'permanent';
  if (typeof responseCode === 'number' && responseCode >= 400) return 'temporary';
  // an address or a message nodemailer itself refuses to send (no server reply) will be refused again
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return 'permanent';
  return !command || BEFORE_MESSAGE.test(command) ? 'temporary' : 'uncertain';
}
