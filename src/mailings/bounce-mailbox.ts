import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';

/** Reports read per poll: a flood of them is worked through over several polls. */
const PER_POLL = 500;

/**
 * Reads the unread letters of the bounce mailbox (`imaps://user:password@host[:port][/folder]`), hands
 * each one's source to `take` and marks it read once taken (a letter whose handling failed stays unread
 * for the next poll). Returns how many were taken.
 */
export async function pollBounceMailbox(
  imapUrl: string,
  take: (source: Buffer) => Promise<void>,
  logger: Logger,
): Promise<number> {
  const url = new URL(imapUrl);
  const client = new ImapFlow({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'imaps:' ? 993 : 143,
    secure: url.protocol === 'imaps:',
    auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
    logger: false,
  });
  await client.connect();
  let taken = 0;
  try {
    const lock = await client.getMailboxLock(decodeURIComponent(url.pathname.replace(/^\//, '')) || 'INBOX');
    try {
      const unread = await client.search({ seen: false }, { uid: true });
      for (const uid of (unread || []).slice(0, PER_POLL)) {
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (!message || !message.source) continue;
        try {
          await take(message.source);
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
          taken++;
        } catch (err) {
          logger.warn({ err, uid }, 'bounce report not handled');
        }
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
  return taken;
}
