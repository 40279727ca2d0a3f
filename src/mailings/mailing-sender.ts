import type { Knex } from 'knex';
import nodemailer, { type Transporter } from 'nodemailer';
import { inTransaction } from '../db/transaction';
import type { JobQueue, QueuedJob } from '../jobs/job-queue';
import { deliveryVerdict } from '../mail/delivery';
import type { MailOptions } from '../mail/mail.service';
import { createThrottle } from '../mail/throttle';
import { newUnsubscribeLinks, oneClickHeaders, withUnsubscribeFooter } from '../mail/unsubscribe-links';
import { addressIsInvalid, enhancedStatusIn } from './bounce-codes';
import { letterHtml, letterIdentity } from './mailing-letters';
import { renderMarkdown } from './markdown';
import {
  claimRecipients,
  mailingLetter,
  settleDelivered,
  settleMailing,
  settleRecipient,
  type ClaimedRecipient,
} from './mailings.repo';

/** Letters one job sends before it hands the rest to a new job (other workers share a big mailing). */
export const LETTERS_PER_JOB = 200;
/**
 * Letters a worker claims at once and hands to the mail server side by side, each on its own pooled
 * connection: a letter waits on the server's replies (a few round trips), not on the ones before it.
 */
export const LETTERS_IN_FLIGHT = 8;
/** How long a delivered letter waits for the rest of its batch before it is settled without them (a hung one). */
const SETTLE_WAIT_MS = 20;
/** Jobs queued at once for a mailing: how many workers (of all instances) may send it side by side. */
const PARALLEL_JOBS = 4;

/**
 * The mail service's settings (mail.service mailOptionsOf): `retry.limit` deferrals (4xx) before a letter is a
 * soft bounce, the first retry after `retry.delaySeconds`, then doubling; a letter `sending` longer than
 * `sendTimeoutSeconds` was cut off with its worker: `uncertain`, never sent again.
 */
export type MailingSenderOptions = MailOptions;

/** A hard bounce to act on: the address is wrong (marked invalid on the card or passport). */
export type OnHardBounce = (recipient: ClaimedRecipient, reason: string) => Promise<void>;

/** `after`: the highest id this chain of jobs has claimed (a hint: the letters below it are mostly done). */
type MailingJob = QueuedJob<{ mailingId: number; after?: number }>;
/** A mailing's letter, its Markdown rendered once for all its letters. */
type Letter = { subject: string; body: string; html: string };

/**
 * The mailings' queue workers: each job claims the mailing's letters LETTERS_IN_FLIGHT at a time
 * (claimRecipients: a letter is `sending` before it is handed over and never claimed again), sends them
 * side by side, each settled once its server's reply is in (the delivered ones together, createSentSettler),
 * up to LETTERS_PER_JOB, and queues a job for the rest, so several workers of several instances share a
 * mailing and a killed worker cuts off at most the letters it was sending. A 4xx defers the letter with
 * backoff (a soft bounce after `retry.limit` deferrals), a 5xx bounces it (hard; at RCPT TO the address is
 * marked invalid).
 */
export function createMailingSender(
  db: Knex,
  jobs: JobQueue,
  options: MailingSenderOptions,
  onHardBounce: OnHardBounce,
) {
  // Pooled: a mailing's letters reuse connections instead of opening one per letter (~100 ms each). One
  // connection per letter in flight, so that a batch's letters go side by side, and one hung mid-send (its job then expires and this instance's worker may take the next
  // job) does not hold the letters after it. nodemailer's own timeouts, as the mail service's: a timeout is no
  // server reply, and one in the middle of the message would read as temporary — a hung hand-over is left to the
  // job's expiry and the sweep instead.
  const transport: Transporter | null = options.smtpUrl
    ? nodemailer.createTransport({
        url: options.smtpUrl,
        pool: true,
        maxConnections: LETTERS_IN_FLIGHT,
        maxMessages: 1000,
      })
    : null;
  const throttle = createThrottle(options.rate);
  const jobOptions = {
    retryLimit: 20,
    retryDelay: 1,
    // a job sends LETTERS_PER_JOB letters, each within the send timeout: past this, its worker is dead
    expireInSeconds: options.sendTimeoutSeconds * 2 + Math.ceil(LETTERS_PER_JOB / options.rate.perSecond),
  };
  const queue = (trx: Knex, mailingId: number, options: { startAfter?: number; after?: number } = {}) =>
    jobs.send(
      trx,
      'mailing',
      { mailingId, ...(options.after ? { after: options.after } : {}) },
      { ...jobOptions, ...(options.startAfter ? { startAfter: options.startAfter } : {}) },
    );

  const settleSent = createSentSettler(db);

  /**
   * The next letters: the queued ones above the chain's last claim first — an index walk from there, not
   * over the letters already done, which are most of a big mailing by its end (a walk from the first letter
   * cost 40 ms a claim at 14,000 sent) — then, when none is left above it, any pending from the first (due
   * deferrals, letters another worker skipped and gave back).
   */
  async function claim(mailingId: number, after: number) {
    return inTransaction(db, async (trx) => {
      const above = after ? await claimRecipients(trx, mailingId, LETTERS_IN_FLIGHT, after) : [];
      const recipients = above.length ? above : await claimRecipients(trx, mailingId, LETTERS_IN_FLIGHT, 0);
      // the unsubscribe links of the letters to members who still consent, committed with the claim (one WAL flush)
      const linked = recipients.filter((r) => r.consent && r.memberId !== null);
      const links = await newUnsubscribeLinks(
        trx,
        options.publicUrl,
        linked.map((r) => r.memberId!),
      );
      const linkOf = new Map(linked.map((r, i) => [r.id, links[i]]));
      return { recipients, linkOf };
    });
  }

  async function sendOne(letter: Letter, recipient: ClaimedRecipient, link: string | undefined) {
    if (!recipient.consent) {
      await settleRecipient(db, recipient.id, { status: 'unsubscribed', reason: 'Согласие на рассылку отозвано' });
      return;
    }
    const { envelopeFrom, messageId } = letterIdentity(options.from, recipient.token);
    await throttle(recipient.address);
    try {
      await transport!.sendMail({
        from: options.from,
        to: recipient.address,
        subject: letter.subject,
        text: link ? withUnsubscribeFooter(letter.body, link) : letter.body,
        html: letterHtml(letter.html, link),
        messageId,
        envelope: { from: envelopeFrom, to: recipient.address },
        headers: { Precedence: 'bulk', ...(link ? oneClickHeaders(link) : {}) },
      });
    } catch (err) {
      const verdict = deliveryVerdict(err);
      const reason = (err as Error).message;
      if (verdict === 'temporary') {
        if (recipient.attempts > options.retry.limit) {
          await settleRecipient(db, recipient.id, { status: 'bounced', bounce: 'soft', reason });
        } else {
          const retryInSeconds = options.retry.delaySeconds * 2 ** (recipient.attempts - 1);
          await settleRecipient(db, recipient.id, { status: 'deferred', reason, retryInSeconds });
        }
      } else if (verdict === 'permanent') {
        await settleRecipient(db, recipient.id, { status: 'bounced', bounce: 'hard', reason });
        const { command, response } = err as { command?: string; response?: string };
        if (addressIsInvalid(enhancedStatusIn(response), /RCPT/i.test(command ?? ''))) {
          await onHardBounce(recipient, reason);
        }
      } else {
        await settleRecipient(db, recipient.id, { status: 'uncertain', reason });
      }
      return;
    }
    await settleSent(recipient.id);
  }

  async function work(job: MailingJob): Promise<void> {
    const { mailingId } = job.data;
    let after = job.data.after ?? 0;
    const found = await mailingLetter(db, mailingId);
    if (!found) return;
    const letter = { ...found, html: renderMarkdown(found.body) };
    for (let sent = 0; sent < LETTERS_PER_JOB; sent += LETTERS_IN_FLIGHT) {
      const { recipients, linkOf } = await claim(mailingId, after);
      if (!recipients.length) return finish(mailingId);
      after = recipients.at(-1)!.id;
      await Promise.all(recipients.map((r) => sendOne(letter, r, linkOf.get(r.id))));
    }
    await queue(db, mailingId, { after }); // the rest in a new job, which any worker may take
    jobs.wake('mailing');
  }

  /** Nothing left to claim now: settle the cut-off letters, and come back for deferred or in-flight ones. */
  async function finish(mailingId: number) {
    const left = await settleMailing(db, mailingId, options.sendTimeoutSeconds);
    if (!left.pending) return;
    // deferred letters: when the first is due; letters other workers are sending: after they must have ended
    const dueIn = left.pending > left.sending ? (left.dueInSeconds ?? 0) : options.sendTimeoutSeconds + 1;
    await queue(db, mailingId, { startAfter: Math.max(1, Math.ceil(dueIn)) });
  }

  if (transport) jobs.handle('mailing', work);

  return {
    /** Whether letters can go out (SMTP_URL): without it a mailing waits in the queue. */
    sends: transport !== null,
    /** Queues the jobs of a new mailing on the transaction that created it. */
    async start(trx: Knex.Transaction, mailingId: number, recipients: number) {
      // even a small mailing is offered to several workers: whichever are free share it, the others find nothing
      const parallel = Math.min(PARALLEL_JOBS, recipients);
      for (let i = 0; i < parallel; i++) await queue(trx, mailingId);
    },
  };
}

/**
 * Delivered letters are settled together: one UPDATE and one commit (a WAL flush: the costliest part of a
 * letter once the letters went side by side) for the letters of a batch whose replies are in — when the batch
 * is complete, or SETTLE_WAIT_MS after the first, so that a letter hung mid-send holds back no other.
 */
function createSentSettler(db: Knex) {
  let waiting: { id: number; settled: () => void; failed: (err: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    try {
      await settleDelivered(
        db,
        batch.map((b) => b.id),
      );
      for (const b of batch) b.settled();
    } catch (err) {
      for (const b of batch) b.failed(err);
    }
  };
  return (id: number) =>
    new Promise<void>((settled, failed) => {
      waiting.push({ id, settled, failed });
      if (waiting.length >= LETTERS_IN_FLIGHT) void flush();
      else timer ??= setTimeout(() => void flush(), SETTLE_WAIT_MS);
    });
}
