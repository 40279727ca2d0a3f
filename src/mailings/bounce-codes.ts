/**
 * Whether a permanent failure says the address itself is bad (RFC 3463): an unknown address or mailbox
 * (5.1.x), a disabled mailbox (5.2.1), no route to its domain (5.4.4). A refusal for policy or content
 * (5.7.x, 5.6.x) is a hard bounce of this letter, not a wrong address. Without an enhanced code, a 5xx
 * at RCPT TO refuses the recipient.
 */
export function addressIsInvalid(enhancedStatus: string | null, atRecipient: boolean): boolean {
  if (!enhancedStatus) return atRecipient;
  return /^5\.(1\.\d+|2\.1|4\.4)$/.test(enhancedStatus);
}

/** The enhanced status code in a server's reply (`550 5.1.1 <x@y>: Recipient address rejected`). */
export function enhancedStatusIn(reply: string | undefined): string | null {
  return /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply ?? '')?.[1] ?? null;
}
