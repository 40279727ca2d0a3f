import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { LIVE_STATUSES } from '../../src/cards/card-statuses';
import { blockLiveCards, insertCard, moveCards, setCardStatus } from '../../src/cards/cards.repo';
import { endMemberships, transferMembers } from '../../src/membership/membership';
import { mergeCards } from '../../src/members/card-merge';
import { giveConsent, withdrawConsent } from '../../src/members/consents';
import { compactListCounts } from '../../src/members/member-holding-counted.repo';
import { countMembers, listMembers, type MemberListFilter } from '../../src/members/members.repo';
import { verifyDerived } from '../../src/ops/verify-derived';
import type { OrgRow } from '../../src/registry/orgs.repo';
import type { TestDatabase } from '../support/db';
import { ownerDatabaseWithTwoRegions, type RegionTree } from '../support/two-regions';
import { createMembers } from '../support/factories';

// Issue 15, item 2: the member list's union card and consent filters of a region and of the union take their
// totals, and the regions worth reading, from region_card_counts and region_consent_counts (what members hold,
// kept by triggers). After every kind of change — a card issued, moved, moved in a batch, lost and reissued,
// blocked by an exit; a consent given, a second channel, withdrawn; a transfer to another region; a merge of
// duplicates; the hourly compaction and the rebuild — the lists' totals and first pages must be what the
// cards and consents say, counted here directly, and verify-derived must find the counts equal, and each
// card's live union card (members.live_card_status, live_card_kind, which the lists filter on) its cards'.

let database: TestDatabase;
let db: Knex;
let union: OrgRow;
let r1: RegionTree;
let r2: RegionTree;
const ctx = { actorUserId: null, requestId: null, ip: null };
const meta = { actorUserId: null };
let cardNumber = 0;

/** Every filter on what a member holds, alone and with the state on record. */
const FILTERS: Omit<MemberListFilter, 'status'>[] = [
  ...['none', 'requested', 'issued', 'lost', 'blocked'].map((cardStatus) => ({ cardStatus })),
  { cardKind: 'plastic' },
  { cardKind: 'virtual' },
  { cardStatus: 'issued', cardKind: 'virtual' },
  { cardStatus: 'lost', cardKind: 'plastic' },
  { consent: 'mailing' },
  { consent: 'no_mailing' },
  { consent: 'no_processing' },
  { consent: 'no_processing', cardStatus: 'none' },
];

/** The filter's condition on a card `m`, written from scratch (not the list's own SQL). */
function direct(f: MemberListFilter): string {
  const parts = [f.status === 'active' ? 'm.left_on IS NULL' : f.status === 'left' ? 'm.left_on IS NOT NULL' : 'true'];
  const live = `c.status IN (${LIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;
  const card = (where: string) => `EXISTS (SELECT 1 FROM union_cards c WHERE c.member_id = m.id AND ${where})`;
  if (f.cardStatus === 'none') parts.push(`NOT ${card(live)}`);
  else if (f.cardStatus)
    parts.push(card(`c.status = '${f.cardStatus}'${f.cardKind ? ` AND c.kind = '${f.cardKind}'` : ''}`));
  else if (f.cardKind) parts.push(card(`${live} AND c.kind = '${f.cardKind}'`));
  const consent = (kind: string) =>
    `EXISTS (SELECT 1 FROM member_consents c WHERE c.member_id = m.id AND c.kind = '${kind}' AND c.withdrawn_on IS NULL)`;
  if (f.consent === 'mailing') parts.push(consent('mailing'));
  if (f.consent === 'no_mailing') parts.push(`NOT ${consent('mailing')}`);
  if (f.consent === 'no_processing') parts.push(`NOT ${consent('processing')}`);
  return parts.join(' AND ');
}

async function expectDirectCounts(step: string) {
  for (const root of [union, r1.region, r2.region]) {
    const reader = { viewPaths: [root.path] };
    for (const status of ['active', 'left', 'all'] as const) {
      for (const f of FILTERS) {
        const filter = { ...f, status };
        const { rows } = await db.raw(
          `SELECT m.id FROM members m JOIN organizations o ON o.id = m.organization_id
            WHERE m.merged_into_id IS NULL AND o.path <@ ?::ltree AND ${direct(filter)} ORDER BY m.surname, m.name, m.id`,
          [root.path],
        );
        const page = await listMembers(db, root, filter, reader, 'name', null, 50);
        expect({ step, root: root.name, filter, count: await countMembers(db, root, filter, reader) }).toEqual({
          step,
          root: root.name,
          filter,
          count: rows.length,
        });
        expect({ step, root: root.name, filter, ids: page.items.map((m) => m.id) }).toEqual({
          step,
          root: root.name,
          filter,
          ids: rows.map((r: { id: string }) => Number(r.id)).slice(0, 50),
        });
      }
    }
  }
  const checked = ['members (live union card)', 'region_card_counts', 'region_consent_counts'];
  const results = await verifyDerived(db, checked);
  expect(results.map((r) => r.name)).toEqual(checked);
  expect({ step, differing: results.filter((r) => r.count) }).toEqual({ step, differing: [] });
}

async function issue(memberId: number, kind: 'plastic' | 'virtual', replacesCardId: number | null = null) {
  await db.transaction((trx) =>
    insertCard(trx, {
      number: `T${++cardNumber}`,
      memberId,
      kind,
      on: '2026-01-10',
      replacesCardId,
      reason: null,
      actorUserId: null,
    }),
  );
  return Number((await db('union_cards').where({ member_id: memberId }).max('id as id').first())!.id);
}

const move = (cardId: number, from: string, to: string) =>
  db.transaction((trx) =>
    setCardStatus(trx, cardId, {
      from: from as never,
      to: to as never,
      on: '2026-02-01',
      reason: null,
      actorUserId: null,
    }),
  );

const consent = (memberId: number, kind: 'processing' | 'mailing', channel?: 'email' | 'sms') =>
  giveConsent(db, ctx, memberId, {
    kind,
    channel: channel ?? null,
    textVersion: '2026-1',
    source: 'paper',
    on: '2026-01-05',
  });

beforeAll(async () => {
  ({ database, db, union, r1, r2 } = await ownerDatabaseWithTwoRegions([41, 42]));
});
afterAll(async () => database.drop());

describe('the counts of union cards and consents members hold, per region', () => {
  it('give the lists of a region and of the union what the cards and consents say after every kind of change', async () => {
    const a = await createMembers(db, r1.primary, 6);
    const b = await createMembers(db, r2.primary, 4, { surname: 'Андреева' });
    await expectDirectCounts('no cards, no consents');

    const cards = new Map<number, number>();
    for (const [i, id] of [...a, ...b].entries()) cards.set(id, await issue(id, i % 3 === 0 ? 'virtual' : 'plastic'));
    for (const id of [...a.slice(0, 4), ...b.slice(0, 2)]) await consent(id, 'processing');
    await expectDirectCounts('cards issued, consents given');

    await move(cards.get(a[0]!)!, 'requested', 'sent_to_production');
    await db.transaction((trx) => moveCards(trx, a.slice(1, 4), 'requested', 'sent_to_production', '2026-02-01', null));
    await db.transaction((trx) => moveCards(trx, a.slice(1, 3), 'sent_to_production', 'produced', '2026-02-02', null));
    await move(cards.get(a[1]!)!, 'produced', 'delivered_to_region');
    await move(cards.get(a[1]!)!, 'delivered_to_region', 'issued');
    await move(cards.get(b[0]!)!, 'requested', 'refused');
    await expectDirectCounts('cards moved one by one and in a batch, one refused');

    // lost, reissued, lost again: two lost cards are one member holding a lost card
    await move(cards.get(a[2]!)!, 'produced', 'lost');
    const second = await issue(a[2]!, 'virtual', cards.get(a[2]!)!);
    await move(second, 'requested', 'sent_to_production');
    await move(second, 'sent_to_production', 'produced');
    await move(second, 'produced', 'lost');
    await issue(a[2]!, 'plastic', second);
    await expectDirectCounts('lost twice and reissued');

    // two mailing channels are one member consenting to mailings; one withdrawn, then the other
    await consent(a[0]!, 'mailing', 'email');
    await consent(a[0]!, 'mailing', 'sms');
    await consent(b[3]!, 'mailing', 'email');
    await expectDirectCounts('mailing consents by two channels');
    const mailing = await db('member_consents').where({ member_id: a[0], kind: 'mailing' }).orderBy('id').pluck('id');
    await withdrawConsent(db, ctx, { id: a[0]!, organizationId: r1.primary.id }, Number(mailing[0]), '2026-03-01');
    await expectDirectCounts('one channel withdrawn');
    await withdrawConsent(db, ctx, { id: a[0]!, organizationId: r1.primary.id }, Number(mailing[1]), '2026-03-01');
    await expectDirectCounts('both withdrawn');

    // an exit blocks the live card and leaves the record; a transfer takes what the member holds to the other region
    await db.transaction(async (trx) => {
      await endMemberships(trx, [a[3]!, b[1]!], 'voluntary', { ...meta, on: '2026-04-01' });
      await blockLiveCards(trx, [a[3]!, b[1]!], '2026-04-01', null);
    });
    await expectDirectCounts('left, cards blocked');
    await db.transaction((trx) => transferMembers(trx, [a[0]!, a[1]!], r2.primary.id, { ...meta, on: '2026-05-01' }));
    await expectDirectCounts('transferred to another region');

    // the duplicate's cards and consents pass to the survivor, and the duplicate is no longer counted
    await mergeCards(db, ctx, { id: b[2]!, organizationId: r2.primary.id }, a[4]!);
    await expectDirectCounts('duplicates merged');

    // each change added rows of its own; folded into one per key, and rebuilt, nothing changes
    const rows = async () => Number((await db('region_card_counts').count('* as n').first())!.n);
    const before = await rows();
    await compactListCounts(db);
    expect(await rows()).toBeLessThan(before);
    await expectDirectCounts('compacted');
    await db.raw(
      'SELECT region_card_counts_rebuild(); SELECT region_consent_counts_rebuild(); SELECT members_live_card_rebuild()',
    );
    await expectDirectCounts('rebuilt');
  });
});
