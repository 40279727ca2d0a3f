import type { Knex } from 'knex';
import { can } from '../access/access';
import type { Principal } from '../access/principal';
import type { CardRef } from './indicators/behind';
import type { ReportResult } from './report-builder';
import { findCardsWithOrganizations } from './readable-cards.repo';

/**
 * A report as one reader may see it: the cards behind its controls are named (and linked) only when the
 * reader may open them — `member.view` on the organization the person is registered in now, the rule of
 * the card page — and otherwise only counted (`cardsTotal` stays). The names are re-read from the cards
 * now, so a filed version (which keeps only ids) and a card depersonalised since never show a stale name.
 * Every page and download of a report goes through here.
 */
export async function readableReport(db: Knex, principal: Principal, result: ReportResult): Promise<ReportResult> {
  const ids = [...new Set(result.controls.flatMap((c) => c.cards.map((m) => m.id)))];
  if (!ids.length) return result;
  const readable = new Map<number, CardRef>(
    (await findCardsWithOrganizations(db, ids))
      .filter((r) => can(principal, 'member.view', r.organization))
      .map(({ organization, ...card }) => [card.id, { ...card, inpo: organization.inpo }]),
  );
  return {
    ...result,
    controls: result.controls.map((c) => ({ ...c, cards: c.cards.flatMap((m) => readable.get(m.id) ?? []) })),
  };
}
