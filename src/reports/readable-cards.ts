import type { Knex } from 'knex';
import { can } from '../access/access';
import type { Principal } from '../access/principal';
import type { CardRef } from './indicators/behind';
import type { ReportResult } from './report-builder';

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
  const rows = await db('members as m')
    .join('organizations as o', 'o.id', 'm.organization_id')
    .whereIn('m.id', ids)
    .select('m.id', 'm.surname', 'm.name', 'm.patronymic', 'o.id as orgId', 'o.path', 'o.level', 'o.inpo');
  const readable = new Map<number, CardRef>(
    rows
      .filter((r) => can(principal, 'member.view', { id: r.orgId, path: r.path, level: r.level }))
      .map((r) => [
        Number(r.id),
        { id: Number(r.id), surname: r.surname, name: r.name, patronymic: r.patronymic, inpo: r.inpo },
      ]),
  );
  return {
    ...result,
    controls: result.controls.map((c) => ({ ...c, cards: c.cards.flatMap((m) => readable.get(m.id) ?? []) })),
  };
}
