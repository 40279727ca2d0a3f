import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createOwnerDb } from '../src/db/migrate';
import { BENCH_PASSWORD, type BenchFixtures } from './fixtures';
import { peakGrowth, startServer } from './server-process';
import { login, type Session } from './session';

// The mailing journey (issue #19, «Performance»): the biggest region's coordinator sends a mailing to every
// member of the region with a mailing consent (~100,000 letters), through the real server with the throttle
// off, into a local SMTP sink in its own process that only counts. Measured: targeting and queueing (the send
// request, which writes every recipient row and queues the jobs in one transaction) with the server's RSS
// growth during it, then the sending rate (letters/s from the answer until the mailing is done).

const QUEUE_LIMIT_S = 30;
const QUEUE_GROWTH_LIMIT_MB = 100;
const RATE_LIMIT = 200;
/** The throttle off: the highest rates the configuration accepts, far above what one instance sends. */
const THROTTLE_OFF = { MAIL_RATE_PER_SECOND: '1000', MAIL_RATE_PER_DOMAIN: '1000' };
const SUBJECT = 'Бенчмарк: рассылка региону';
const BODY = `Уважаемые коллеги!

Приглашаем членов Профсоюза на **региональный семинар** по вопросам оплаты труда педагогических работников.
Семинар пройдёт в режиме видеоконференции; ссылка для подключения будет опубликована на сайте: https://eseur.ru

- регистрация открыта до конца месяца;
- вопросы можно прислать заранее;
- материалы семинара будут разосланы участникам.

С уважением, аппарат региональной организации Профсоюза.`;

interface SinkProcess {
  port: number;
  count: () => Promise<number>;
  stop: () => void;
}

async function startSink(): Promise<SinkProcess> {
  const child = fork(path.join(import.meta.dirname, 'smtp-sink.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited with ${code}`)));
  });
  return {
    port,
    count: () =>
      new Promise((resolve) => {
        const answer = (m: unknown) => {
          if (typeof m === 'object' && m && 'count' in m) {
            child.off('message', answer);
            resolve((m as { count: number }).count);
          }
        };
        child.on('message', answer);
        child.send('count');
      }),
    stop: () => child.disconnect(),
  };
}

const load = () => os.loadavg()[0]!.toFixed(1);

async function compose(baseUrl: string, session: Session, inpo: string, step: 'preview' | 'send') {
  return fetch(`${baseUrl}/orgs/${inpo}/mailings`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
    body: new URLSearchParams({ _csrf: session.csrf, subject: SUBJECT, body: BODY, target: 'members', step }),
  });
}

/**
 * The audience, made once (the scale seed gives no card an address or a mailing consent): two in three of
 * the region's members on record get an address (five domains) and a consent to mailings by e-mail — about
 * 100,000 of the biggest region's 150,000. Idempotent: a card already so is left alone.
 */
async function prepareAudience(owner: Knex, regionId: number) {
  const chosen = `region_id = ? AND left_on IS NULL AND merged_into_id IS NULL AND id % 3 <> 0`;
  const address = `format('member%s@bench-%s.example', id, id % 5)`;
  const changed = await owner.raw(
    `UPDATE members SET email = ${address} WHERE ${chosen} AND email IS DISTINCT FROM ${address}`,
    [regionId],
  );
  const consented = await owner.raw(
    `INSERT INTO member_consents (member_id, kind, channel, text_version, source, given_on)
     SELECT id, 'mailing', 'email', 'bench', 'paper', DATE '2024-01-10' FROM members m
      WHERE ${chosen} AND NOT EXISTS (SELECT 1 FROM member_consents c WHERE c.member_id = m.id AND c.kind = 'mailing'
                                        AND c.channel = 'email' AND c.withdrawn_on IS NULL)`,
    [regionId],
  );
  if (changed.rowCount || consented.rowCount) await owner.raw('ANALYZE members, member_consents');
}

/** Removes what a run of this journey left: the mailings, their recipients and the letters' unsubscribe links. */
async function removeBenchMailings(owner: Knex, regionId: number) {
  await owner.raw(
    `WITH g AS (SELECT id, created_at FROM mailings WHERE organization_id = ? AND subject = ?)
     DELETE FROM unsubscribe_tokens t USING mailing_recipients r, g
      WHERE r.mailing_id = g.id AND t.member_id = r.member_id AND t.created_at >= g.created_at`,
    [regionId, SUBJECT],
  );
  // the recipients go with their mailing (ON DELETE CASCADE)
  await owner('mailings').where({ organization_id: regionId, subject: SUBJECT }).del();
}

export async function mailingToRegion(
  ownerUrl: string,
  appUrl: string,
  db: Knex,
  fx: BenchFixtures,
): Promise<string[]> {
  const owner = createOwnerDb(ownerUrl);
  await removeBenchMailings(owner, fx.region.id); // an interrupted run's
  await prepareAudience(owner, fx.region.id);
  const sink = await startSink();
  const server = await startServer(ownerUrl, appUrl, 3902, {
    SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    ...THROTTLE_OFF,
  });
  try {
    const session = await login(server.baseUrl, 'bench-coordinator', BENCH_PASSWORD);
    let started = Date.now();
    const preview = await compose(server.baseUrl, session, fx.region.inpo, 'preview');
    const previewHtml = await preview.text();
    const previewSeconds = (Date.now() - started) / 1000;
    const expected = Number(
      /Письмо получат: <strong>([\d\s\u00a0\u202f]+)<\/strong>/.exec(previewHtml)?.[1]?.replace(/\D/g, ''),
    );
    if (preview.status !== 200 || !expected)
      throw new Error(`the preview answered ${preview.status}: ${previewHtml.replace(/\s+/g, ' ').slice(0, 3000)}`);

    const queued = await peakGrowth(server, async () => {
      started = Date.now();
      const res = await compose(server.baseUrl, session, fx.region.inpo, 'send');
      const id = Number(/mailings\/(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);
      if (res.status !== 303 || !id) throw new Error(`the send answered ${res.status}`);
      return { id, seconds: (Date.now() - started) / 1000 };
    });
    const queuedLoad = load();
    const { id } = queued.result;
    const rows = Number((await db('mailing_recipients').where({ mailing_id: id }).count({ n: '*' }))[0]!.n);

    const sending = await peakGrowth(server, async () => {
      const from = Date.now();
      let peakLoad = 0;
      for (;;) {
        const mailing = await db('mailings').where({ id }).first('status');
        peakLoad = Math.max(peakLoad, os.loadavg()[0]!);
        if (mailing.status === 'done') break;
        await new Promise((r) => setTimeout(r, 250));
      }
      return { seconds: (Date.now() - from) / 1000, load: peakLoad.toFixed(1) };
    });
    const statuses: { status: string; n: number }[] = await db('mailing_recipients')
      .where({ mailing_id: id })
      .groupBy('status')
      .select('status', db.raw('count(*)::int AS n'));
    const sent = statuses.find((s) => s.status === 'sent')?.n ?? 0;
    const received = await sink.count();
    const rate = sent / sending.result.seconds;
    const queueGrowth = queued.peakMb - queued.startMb;
    const queuePass = queued.result.seconds < QUEUE_LIMIT_S && queueGrowth < QUEUE_GROWTH_LIMIT_MB && rows === expected;
    const other = statuses.filter((s) => s.status !== 'sent').map((s) => `${s.n} ${s.status}`);
    await removeBenchMailings(owner, fx.region.id);
    return [
      `| mailing to the biggest region's members with a mailing consent (${rows.toLocaleString('en')} recipients of ${expected.toLocaleString('en')} previewed): targeting and queueing (the send request: recipients written, jobs queued) | < ${QUEUE_LIMIT_S} s, RSS growth < ${QUEUE_GROWTH_LIMIT_MB} MB | ${queued.result.seconds.toFixed(1)} s, RSS +${queueGrowth.toFixed(0)} MB (preview ${previewSeconds.toFixed(1)} s; load ${queuedLoad}) | — | — | — | ${queuePass ? 'pass' : '**miss**'} |`,
      `| sending that mailing into a local SMTP sink (own process, counts only), throttle off | ≥ ${RATE_LIMIT} letters/s | ${Math.round(rate)} letters/s (${sent.toLocaleString('en')} sent in ${sending.result.seconds.toFixed(1)} s${other.length ? `, ${other.join(', ')}` : ''}; sink counted ${received.toLocaleString('en')}; RSS +${(sending.peakMb - sending.startMb).toFixed(0)} MB; load up to ${sending.result.load}) | — | — | — | ${rate >= RATE_LIMIT && received === sent ? 'pass' : '**miss**'} |`,
    ];
  } finally {
    await server.stop();
    sink.stop();
    await owner.destroy();
  }
}
