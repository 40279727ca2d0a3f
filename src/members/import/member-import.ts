import type { Knex } from 'knex';
import { analyzeAfterBulkChange } from '../../db/maintenance';
import { can, memberViewPaths } from '../../access/access';
import type { Principal } from '../../access/principal';
import { pathWithin } from '../../shared/org-paths';
import { recordAudit, recordAuditForMembers, type AuditContext } from '../../audit/audit';
import { withPgErrors } from '../../db/pg-errors';
import { parseForm } from '../../http/forms';
import type { ImportIssue } from '../../imports/import-issue';
import { normalizeSheetDate, type SheetRow } from '../../imports/row-source';
import { findOrgByInpo, type OrgRow } from '../../registry/orgs.repo';
import { REGISTRATION_LEVELS } from '../../registry/levels';
import { INPO_PATTERN } from '../../shared/inpo';
import { eventDates, since14, type EventDates } from '../../shared/event-dates';
import { NUL, NUL_CELL_MESSAGE } from '../../shared/nul';
import { restoreNeutralized } from '../../shared/spreadsheet';
import { admissionTermsSchema, cardSchema } from '../members.schemas';
import {
  MATCHES_ELSEWHERE_PER_DAY,
  MATCH_ELSEWHERE_MESSAGE,
  assertChecksLeft,
  spendMatchesElsewhere,
  type MatchElsewhere,
} from '../duplicate-guard';
import { lockForImport } from '../person-locks';
import { createStagingTables, memberStager } from './member-staging';
import { findOwnIssueReport, saveIssueReport } from './import-reports.repo';
import {
  MEMBER_COLUMNS,
  REQUIRED_MEMBER_COLUMNS,
  categoryFromSheet,
  isHintRow,
  mapHeaders,
  sexFromSheet,
  yesNo,
  type MemberColumnKey,
} from './member-sheet';

export const MAX_MEMBER_IMPORT_ROWS = 100_000;
const MAX_REPORTED_ISSUES = 10_000;
const NO_DATA_ROWS_MESSAGE =
  'В файле нет строк с данными: заполните таблицу под заголовками (строка подсказки не загружается)';
const HEADER = Object.fromEntries(MEMBER_COLUMNS.map((c) => [c.key, c.header])) as Record<MemberColumnKey, string>;

export interface MemberImportResult {
  rows: number;
  created: number;
  alreadyInRegistry: number;
  issues: ImportIssue[];
  issuesTotal: number;
  committed: boolean;
}

class CheckOnly extends Error {}

/** What a committed import fills (commitStaged): the cards, their periods and events, their counters, the audit. */
const IMPORTED_TABLES = ['members', 'member_periods', 'membership_events', 'member_counts', 'audit_log'] as const;

/**
 * Streams the rows into a temporary table, validating each; then checks the whole file against itself
 * and the registry in SQL. Only a file without a single issue is committed, in one transaction and
 * set-based; a row already on record in the same organization is skipped, so a re-import adds nobody.
 */
export async function importMembers(
  db: Knex,
  principal: Principal,
  ctx: AuditContext,
  root: OrgRow,
  rows: AsyncIterable<SheetRow>,
  mode: 'check' | 'commit',
  dates: EventDates = eventDates(),
): Promise<MemberImportResult> {
  const result: MemberImportResult = {
    rows: 0,
    created: 0,
    alreadyInRegistry: 0,
    issues: [],
    issuesTotal: 0,
    committed: false,
  };
  await assertChecksLeft(db, principal.id);
  let elsewhere: { count: number; matches: MatchElsewhere[] } | undefined;
  const issue = (line: number, key: MemberColumnKey | '', message: string) => {
    result.issuesTotal++;
    if (result.issues.length < MAX_REPORTED_ISSUES)
      result.issues.push({ line, column: key ? HEADER[key] : '', message });
  };
  try {
    await withPgErrors(() =>
      db.transaction(async (trx) => {
        await createStagingTables(trx);
        const staging = memberStager(trx);
        const orgs = new Map<string, OrgRow | null>();
        const orgOf = async (inpo: string) => {
          if (!orgs.has(inpo)) {
            const org = INPO_PATTERN.test(inpo) ? await findOrgByInpo(trx, inpo) : undefined;
            const allowed =
              org &&
              pathWithin(org.path, root.path) &&
              can(principal, 'member.edit', org) &&
              REGISTRATION_LEVELS.has(org.level) &&
              !org.liquidatedOn;
            orgs.set(inpo, allowed ? org : null);
          }
          return orgs.get(inpo)!;
        };
        let columns: Map<MemberColumnKey, number> | undefined;
        let headerLine = 1;
        for await (const { line, values } of rows) {
          if (!columns) {
            headerLine = line;
            columns = mapHeaders(values);
            const missing = REQUIRED_MEMBER_COLUMNS.filter((k) => !columns!.has(k));
            for (const key of missing) issue(line, key, 'Нет столбца с таким заголовком');
            if (missing.length) break;
            continue;
          }
          if (values.every((v) => v === '') || isHintRow(values)) continue;
          if (++result.rows > MAX_MEMBER_IMPORT_ROWS) {
            issue(line, '', `В файле больше ${MAX_MEMBER_IMPORT_ROWS} строк: разделите его на части`);
            break;
          }
          const cell = (key: MemberColumnKey) =>
            columns!.has(key) ? restoreNeutralized(values[columns!.get(key)!] ?? '') : '';
          const withNul = MEMBER_COLUMNS.find((c) => cell(c.key).includes(NUL));
          if (withNul) {
            issue(line, withNul.key, NUL_CELL_MESSAGE);
            continue;
          }
          const pedagogical = yesNo(cell('isPedagogical'));
          if (pedagogical === undefined) issue(line, 'isPedagogical', 'Укажите «да» или «нет»');
          const form = parseAdmissionRow({
            surname: cell('surname'),
            name: cell('name'),
            patronymic: cell('patronymic'),
            sex: sexFromSheet(cell('sex')) ?? cell('sex'),
            birthDate: normalizeSheetDate(cell('birthDate')),
            category: categoryFromSheet(cell('category')) ?? cell('category'),
            isPedagogical: pedagogical ? 'on' : '',
            position: cell('position'),
            phone: cell('phone'),
            email: cell('email'),
            snils: cell('snils'),
            organizationInpo: cell('organizationInpo'),
            joinedOn: normalizeSheetDate(cell('joinedOn')),
            notDuplicate: 'on',
          });
          if (!form.ok) {
            for (const e of form.errors)
              issue(
                line,
                (MEMBER_COLUMNS.find((c) => c.key === e.field)?.key ?? '') as MemberColumnKey | '',
                e.message,
              );
            continue;
          }
          const implausible = dates.problem(form.terms.joinedOn, [since14(form.card.birthDate)]);
          if (implausible) {
            issue(line, 'joinedOn', implausible);
            continue;
          }
          const org = await orgOf(form.terms.organizationInpo);
          if (!org) {
            issue(
              line,
              'organizationInpo',
              'Организация не найдена в вашей структуре или в ней не ведётся учёт членов',
            );
            continue;
          }
          if (pedagogical === undefined) continue;
          await staging.add(line, org.id, form.card, form.terms);
        }
        await staging.flush();
        if (!columns) issue(1, '', 'Файл пуст');
        else if (!result.rows && !result.issuesTotal) issue(headerLine, '', NO_DATA_ROWS_MESSAGE);
        // From here to the commit the registry may not gain the people this file is checked against.
        if (mode === 'commit') await lockForImport(trx);

        // Issues found in SQL: all are counted, but only as many rows as the report keeps come to JavaScript
        // (a file of people all on record elsewhere brought 100,000 rows: RSS +53 MB for a 422).
        const sqlIssues = async (sql: string, report: (row: Record<string, string>) => void) => {
          const room = MAX_REPORTED_ISSUES - result.issues.length;
          const { rows } = await trx.raw(
            `SELECT *, count(*) OVER () AS found FROM (${sql}) issues ORDER BY line LIMIT ?`,
            [Math.max(room, 1)],
          );
          const reported = rows.slice(0, Math.max(room, 0));
          reported.forEach(report);
          result.issuesTotal += Number(rows[0]?.found ?? 0) - reported.length;
        };
        // The same person twice in the file.
        await sqlIssues(
          `
        SELECT line, first FROM (SELECT line, min(line) OVER (PARTITION BY match_key(surname), match_key(name), birth_date) AS first FROM member_import) x
         WHERE line <> first`,
          (r) => issue(Number(r.line), 'surname', `Этот человек уже есть в строке ${r.first}`),
        );
        // Already on record: in the same organization the row is skipped; elsewhere it is a transfer, not a second card.
        await trx.raw(`
        UPDATE member_import i SET skip = true FROM members m
         WHERE match_key(m.surname) = match_key(i.surname) AND match_key(m.name) = match_key(i.name) AND m.birth_date = i.birth_date
           AND m.organization_id = i.organization_id AND m.left_on IS NULL`);
        // The two ways a row finds a card, each through its own index (an OR in one join became a nested
        // loop of every row by every card when the statistics were stale: 85 s for 10,000 rows). A line
        // that finds a card inside the user's subtrees is told which; any other only that a transfer is
        // needed, counted against the day's allowance and audited (duplicate-guard.ts).
        await trx.raw(
          `
        CREATE TEMP TABLE member_import_matches ON COMMIT DROP AS
        SELECT DISTINCT ON (x.line) x.line, x.member_id, o.id AS organization_id, o.name AS org_name, o.path <@ ANY(?::ltree[]) AS inside, x.matched
          FROM (SELECT i.line, m.id AS member_id, m.organization_id, 'person' AS matched
                  FROM member_import i JOIN members m ON match_key(m.surname) = match_key(i.surname) AND match_key(m.name) = match_key(i.name) AND m.birth_date = i.birth_date
                 WHERE NOT i.skip AND m.left_on IS NULL
                UNION ALL
                SELECT i.line, m.id, m.organization_id, CASE WHEN match_key(m.surname) = match_key(i.surname) AND m.birth_date = i.birth_date THEN 'person' ELSE 'snils' END
                  FROM member_import i JOIN members m ON m.snils = i.snils
                 WHERE NOT i.skip AND m.left_on IS NULL) x
          JOIN organizations o ON o.id = x.organization_id
         ORDER BY x.line, inside DESC, x.matched`,
          [memberViewPaths(principal)],
        );
        elsewhere = await importMatchesElsewhere(trx);
        await sqlIssues('SELECT line, org_name, inside, matched FROM member_import_matches', (r) => {
          if (!r.inside) return issue(Number(r.line), '', MATCH_ELSEWHERE_MESSAGE);
          issue(
            Number(r.line),
            r.matched === 'snils' ? 'snils' : 'surname',
            r.matched === 'snils'
              ? `Этот СНИЛС уже указан в карточке другого человека; его организация: ${r.org_name}`
              : `Уже состоит на учёте; организация: ${r.org_name}. Оформите перевод вместо новой карточки`,
          );
        });
        result.issues.sort((a, b) => a.line - b.line || columnOrder(a.column) - columnOrder(b.column));
        const skipped = await trx('member_import').where({ skip: true }).count<{ count: number }[]>('* as count');
        result.alreadyInRegistry = Number(skipped[0]!.count);
        if (result.issuesTotal > 0 || mode === 'check') {
          result.created = result.issuesTotal > 0 ? 0 : result.rows - result.alreadyInRegistry;
          throw new CheckOnly();
        }
        result.created = await commitStaged(trx, ctx, root);
        result.committed = true;
      }),
    );
  } catch (err) {
    if (!(err instanceof CheckOnly)) throw err;
  } finally {
    // after the transaction, on a connection of its own: the import holds the registry's lock, which
    // admissions wait for on pooled connections (members.service spendingMatches)
    if (elsewhere?.count)
      await spendMatchesElsewhere(
        db,
        { ...ctx, actorUserId: principal.id },
        'import',
        elsewhere.count,
        elsewhere.matches,
      );
  }
  if (result.committed) await analyzeAfterBulkChange(db, result.created, IMPORTED_TABLES);
  return result;
}

/**
 * The admission schema's two halves parsed apart, their errors in its order. z.intersection merges
 * the two outputs with an object spread that V8 places in old space: 2.4 KB of old-space garbage a row
 * (240 MB per 100,000 rows in a sampling heap profile, 12 MB parsed apart), freed only by a full collection.
 */
export function parseAdmissionRow(input: Record<string, string>) {
  const card = parseForm(cardSchema, input);
  const terms = parseForm(admissionTermsSchema, input);
  if (card.ok && terms.ok) return { ok: true as const, card: card.data, terms: terms.data };
  return { ok: false as const, errors: [...(card.ok ? [] : card.errors), ...(terms.ok ? [] : terms.errors)] };
}

/**
 * The file's matches outside the user's subtrees: all counted against the day's allowance (once the
 * transaction has ended, so the count and the audit rows stay though a checked file's transaction does
 * not commit); more than are left refuses the whole check before any line is told.
 */
async function importMatchesElsewhere(trx: Knex.Transaction): Promise<{ count: number; matches: MatchElsewhere[] }> {
  const count = Number(
    (await trx('member_import_matches').where({ inside: false }).count('* as count').first())?.count ?? 0,
  );
  if (!count) return { count, matches: [] };
  const matches = await trx('member_import_matches')
    .where({ inside: false })
    .orderBy('line')
    .limit(MATCHES_ELSEWHERE_PER_DAY)
    .select({ memberId: 'member_id', organizationId: 'organization_id' });
  return {
    count,
    matches: matches.map((m) => ({ memberId: Number(m.memberId), organizationId: Number(m.organizationId) })),
  };
}

function columnOrder(header: string): number {
  const index = MEMBER_COLUMNS.findIndex((c) => c.header === header);
  return index === -1 ? -1 : index;
}

/** Members, their periods and admission events, each one INSERT … SELECT; then an audit row per member. */
async function commitStaged(trx: Knex.Transaction, ctx: AuditContext, root: OrgRow): Promise<number> {
  const { rowCount } = await trx.raw(
    `
    WITH created AS (
      INSERT INTO members (organization_id, surname, name, patronymic, sex, birth_date, category, is_pedagogical, position, phone, email, snils, joined_on)
      SELECT organization_id, surname, name, patronymic, sex, birth_date, category, is_pedagogical, position, phone, email, snils, joined_on
        FROM member_import WHERE NOT skip ORDER BY line
      RETURNING id, organization_id, category, is_pedagogical, joined_on),
    periods AS (
      INSERT INTO member_periods (member_id, organization_id, category, is_pedagogical, valid_from)
      SELECT id, organization_id, category, is_pedagogical, joined_on FROM created),
    events AS (
      INSERT INTO membership_events (member_id, kind, happened_on, to_organization_id, category, reason, actor_user_id)
      SELECT id, 'admitted', joined_on, organization_id, category, 'Загрузка из файла', :actor FROM created)
    INSERT INTO member_import_created (id) SELECT id FROM created`,
    { actor: ctx.actorUserId },
  );
  await recordAuditForMembers(trx, ctx, 'member.imported', trx('member_import_created').select('id'), {
    source: 'import',
  });
  const created = Number(rowCount);
  await recordAudit(trx, ctx, {
    action: 'member.import_committed',
    entity: 'organization',
    entityId: root.id,
    organizationId: root.id,
    newValues: { created },
  });
  return created;
}

/** The members' upload as the page runs it: checked or committed, and the issues kept for their error report. */
export function createMemberImportService(db: Knex, dates: EventDates = eventDates()) {
  return {
    async run(
      principal: Principal,
      ctx: AuditContext,
      root: OrgRow,
      rows: AsyncIterable<SheetRow>,
      mode: 'check' | 'commit',
    ) {
      const result = await importMembers(db, principal, ctx, root, rows, mode, dates);
      const reportId = result.issues.length
        ? await saveIssueReport(db, principal.id, root.id, result.issues)
        : undefined;
      return { result, reportId };
    },
    /** The issues of an earlier run of this user's, while they are kept. */
    issuesOf: (userId: number, reportId: string) => findOwnIssueReport(db, userId, reportId),
  };
}
