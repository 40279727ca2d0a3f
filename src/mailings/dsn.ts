import { simpleParser, type ParsedMail } from 'mailparser';

/** A letter's token as the mailings put it in the envelope sender (`…+b-{token}@`) and the Message-ID (`<m-{token}@`). */
const TOKEN = /(?:^|[^0-9a-z])[bm]-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@/i;

export interface BounceReport {
  /** The letter's token found in the report (the returned headers, or the VERP address it came back to). */
  token: string | null;
  kind: 'bounce' | 'complaint';
  /** RFC 3464 per-recipient fields (for a bounce): `failed`, `delayed`, … */
  action: string | null;
  /** The enhanced status code, e.g. `5.1.1`. */
  status: string | null;
  recipient: string | null;
  diagnostic: string | null;
}

/** `Name: value` fields of a delivery-status block, with folded lines unfolded; names lower-cased. */
function fieldsOf(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}

/** `rfc822; someone@example.ru` → the address. */
const addressOf = (value: string | undefined) => value?.replace(/^[^;]*;\s*/, '').trim() || null;

const partText = (mail: ParsedMail, type: string) =>
  mail.attachments.find((a) => a.contentType.toLowerCase() === type)?.content.toString('utf8') ?? null;

/**
 * Reads a bounce report: a DSN (`multipart/report; report-type=delivery-status`, RFC 3464) — its first
 * recipient's action, status and diagnostic — or a complaint (`report-type=feedback-report`, RFC 5965).
 * Anything else (an auto-reply, a stray letter) is null.
 */
export async function parseBounceReport(raw: Buffer | string): Promise<BounceReport | null> {
  const mail = await simpleParser(raw);
  const type = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value?.toLowerCase() !== 'multipart/report') return null;
  const reportType = type.params?.['report-type']?.toLowerCase();
  if (reportType !== 'delivery-status' && reportType !== 'feedback-report') return null;
  const returned = [
    partText(mail, 'text/rfc822-headers'),
    partText(mail, 'message/rfc822'),
    ...mail.attachments.filter((a) => a.contentType.toLowerCase() === 'message/rfc822').map((a) => a.filename ?? ''),
    typeof mail.to === 'object' && mail.to && 'text' in mail.to ? mail.to.text : '',
    mail.headers.get('x-original-to')?.toString() ?? '',
    mail.text ?? '',
  ].join('\n');
  const token = TOKEN.exec(returned)?.[1]?.toLowerCase() ?? null;
  if (reportType === 'feedback-report') {
    return { token, kind: 'complaint', action: null, status: null, recipient: null, diagnostic: 'Жалоба на спам' };
  }
  // mailparser reads a message/delivery-status part as text (appended to the text) or as an attachment
  const status = partText(mail, 'message/delivery-status') ?? mail.text ?? '';
  // the per-message fields, then one block per recipient (blank lines between)
  const blocks = status.split(/\r?\n\s*\r?\n/).filter((b) => b.trim());
  const block = blocks.find((b) => /^\s*(final|original)-recipient:/im.test(b));
  if (!block) return null;
  const recipient = fieldsOf(block);
  return {
    token,
    kind: 'bounce',
    action: recipient.get('action')?.toLowerCase() ?? null,
    status: /\d\.\d{1,3}\.\d{1,3}/.exec(recipient.get('status') ?? '')?.[0] ?? null,
    recipient: addressOf(recipient.get('final-recipient') ?? recipient.get('original-recipient')),
    diagnostic: recipient.get('diagnostic-code')?.replace(/^smtp;\s*/i, '') ?? null,
  };
}
