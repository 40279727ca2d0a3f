import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import type { Reads } from '../db/replica';
import { FILED_STATUSES } from '../reports/filing';
import { currentReportingDate } from '../reports/periods';
import type { ReportsService } from '../reports/reports.service';
import type { JoinService } from '../join/join.service';
import { invalidAddressesPerChild } from '../members/email-validity';
import type { FiledFigures } from '../reports/filed-figures.repo';
import type { OrgRow } from '../registry/org-row';
import { todayIso } from '../shared/dates';
import {
  childrenOn,
  latestDeclared,
  listDeclared,
  memberFiguresOn,
  orgFiguresOn,
  refreshMemberFigures,
  saveDeclared,
  type ChildOrg,
  type DeclaredRow,
  type MemberFigures,
  type OrgFigures,
} from './monitoring.repo';
import type { DeclaredFiguresInput } from './declared.schemas';

/** The hourly housekeeping's part: today's figures of the union kept, old dates forgotten. */
export { warmMonitoring } from './monitoring.repo';
import { importDeclared } from './declared-import';
import type { Principal } from '../access/principal';
import {
  monitoringColumns,
  rowCells,
  yearStartOf,
  type Cell,
  type FilingCounts,
  type ListRights,
  type RowFigures,
} from './monitoring-table';

export interface MonitoringRow {
  /** the child organization, or none for the root's own record and the totals */
  org: ChildOrg | null;
  label: string;
  /** where the row's declared figures come from: the report's date and source */
  declared: Pick<DeclaredRow, 'onDate' | 'source'> | null;
  cells: Cell[];
}

export interface MonitoringTable {
  on: string;
  columns: ReturnType<typeof monitoringColumns>;
  rows: MonitoringRow[];
  totals: MonitoringRow;
  /** the filing campaign the filings columns count, when the organization has a board */
  campaign: { form: string; date: string } | null;
}

const NO_MEMBERS: Omit<MemberFigures, 'childId'> = {
  members: 0,
  working: 0,
  student: 0,
  pensioner: 0,
  unemployed: 0,
  requested: 0,
  sentToProduction: 0,
  produced: 0,
  deliveredToRegion: 0,
  handedToOrganization: 0,
  issued: 0,
  refused: 0,
  lost: 0,
  blocked: 0,
  issuedPlastic: 0,
  issuedVirtual: 0,
  withoutCard: 0,
  processingConsent: 0,
  withoutProcessingConsent: 0,
  mailingConsent: 0,
};
const NO_ORGS: Omit<OrgFigures, 'childId'> = {
  territorial: 0,
  primary: 0,
  noChair: 0,
  expiredTerm: 0,
  noTerm: 0,
  incomplete: 0,
  noMembers: 0,
};

/** The root's own record leads to no list. */
const NO_LISTS: ListRights = { members: false, applications: false };

function sum<T extends Record<string, number>>(zero: T, rows: T[]): T {
  const out = { ...zero };
  for (const r of rows)
    for (const k of Object.keys(zero) as (keyof T)[]) out[k] = ((out[k] as number) + (r[k] as number)) as T[keyof T];
  return out;
}

/** The declared figures of the totals: the root's own when it has them, else the children's added up. */
function totalDeclared(own: DeclaredRow | undefined, children: DeclaredRow[]): RowFigures['declared'] {
  if (own) return own;
  if (!children.length) return null;
  const add = (k: 'working' | 'student' | 'pensioner' | 'unemployed' | 'territorialOrgs' | 'primaryOrgs') =>
    children.some((c) => c[k] != null) ? children.reduce((s, c) => s + (c[k] ?? 0), 0) : null;
  return {
    onDate: children.map((c) => c.onDate).sort()[0]!,
    membersTotal: children.reduce((s, c) => s + c.membersTotal, 0),
    working: add('working'),
    student: add('student'),
    pensioner: add('pensioner'),
    unemployed: add('unemployed'),
    territorialOrgs: add('territorialOrgs'),
    primaryOrgs: add('primaryOrgs'),
  };
}

/** The statistical report's figures of an organization: its filed report when it is as recent as the entered ones. */
function declaredOf(entered: DeclaredRow | undefined, filed: FiledFigures | undefined): DeclaredRow | undefined {
  if (!filed || filed.membersTotal == null || (entered && entered.onDate > filed.onDate)) return entered;
  const { formCode: _formCode, membersTotal, ...figures } = filed;
  return { ...figures, membersTotal, source: 'filed' };
}

/** The declared figures as the audit row records them. */
const auditValues = ({ onDate: _onDate, ...figures }: DeclaredFiguresInput) => figures;

/**
 * The online admission's counts, handed in by the composition root (deps.ts): `join` comes after
 * `monitoring` in the feature order, so monitoring knows the join service by its type only.
 */
export type OnlineAdmissions = Pick<JoinService, 'admissionsByChild' | 'waitingByChild'>;

export function createMonitoringService(db: Knex, reads: Reads, reports: ReportsService, join: OnlineAdmissions) {
  /** The current filing campaign of the organization's board: each child's report counted by its state. */
  async function filingsOf(org: OrgRow) {
    const code = org.level === 'regional' || org.level === 'union' ? '1-SP' : '2-SP';
    const form = (await reports.formsOf(org)).find((f) => f.code === code);
    if (!form) return null;
    const date = currentReportingDate(form.definition, todayIso());
    const rows = await reports.board(await reports.target(org, form.code, date));
    const byChild = new Map<number, FilingCounts>();
    for (const r of rows)
      byChild.set(r.org.id, {
        filed: r.report && FILED_STATUSES.includes(r.report.status) ? 1 : 0,
        accepted: r.status === 'accepted' ? 1 : 0,
        returned: r.status === 'returned' ? 1 : 0,
        overdue: r.late ? 1 : 0,
      });
    return { form: form.code, date, byChild };
  }

  return {
    /** The organization's declared figures, latest date first (the form page lists them). */
    declaredOf: (org: OrgRow) => listDeclared(db, org.id),

    /** Declared figures of the subtree from an XLSX: all rows or, with any bad row, none (declared-import.ts). */
    importDeclared: (principal: Principal, ctx: AuditContext, root: OrgRow, file: string) =>
      importDeclared(db, principal, ctx, root, file),

    /** Enters (or replaces) the organization's declared figures for a date, with its audit row. */
    async enterDeclared(ctx: AuditContext, org: OrgRow, input: DeclaredFiguresInput): Promise<void> {
      await db.transaction(async (trx) => {
        await saveDeclared(
          trx,
          [{ organizationId: org.id, onDate: input.onDate, figures: input }],
          'entered',
          ctx.actorUserId,
        );
        await recordAudit(trx, ctx, {
          action: 'org.declared_figures.saved',
          entity: 'organization',
          entityId: org.id,
          organizationId: org.id,
          newValues: { onDate: input.onDate, ...auditValues(input) },
        });
      });
    },

    /** The monitoring table of the organization's children on the date, with the root's own record and totals. */
    async table(org: OrgRow, on: string, reader: ListRights): Promise<MonitoringTable> {
      // the kept figures of the date brought up to date on the primary; the read trusts only what is still current
      await refreshMemberFigures(db, org, on);
      const { value } = await reads.run(async (db: Knex) => {
        const [children, members, orgs, invalid] = await Promise.all([
          childrenOn(db, org, on),
          memberFiguresOn(db, org, on),
          orgFiguresOn(db, org, on),
          invalidAddressesPerChild(db, org),
        ]);
        const declared = await latestDeclared(db, [org.id, ...children.map((c) => c.id)], on);
        return { children, members, orgs, invalid, declared };
      });
      const ids = [org.id, ...value.children.map((c) => c.id)];
      const [filings, filed, accepted, waiting] = await Promise.all([
        filingsOf(org),
        reports.filedFigures(ids, on),
        join.admissionsByChild(org, yearStartOf(on), on),
        join.waitingByChild(org),
      ]);
      const acceptedOf = new Map(accepted.map((a) => [a.inpo, a.admissions]));
      const waitingOf = new Map(waiting.map((w) => [w.inpo, w.waiting]));
      const invalidOf = new Map(value.invalid.map((i) => [i.organizationId, i.members]));
      const entered = new Map(value.declared.map((d) => [d.organizationId, d]));
      const filedById = new Map(filed.map((f) => [f.organizationId, f]));
      const declared = new Map(
        ids.flatMap((id) => {
          const d = declaredOf(entered.get(id), filedById.get(id));
          return d ? [[id, d] as const] : [];
        }),
      );
      const columns = monitoringColumns({
        withTerritorial: ['union', 'regional', 'okrug'].includes(org.level),
        withFilings: !!filings,
        on,
      });
      const members = new Map(value.members.map((m) => [m.childId, m]));
      const orgs = new Map(value.orgs.map((o) => [o.childId, o]));
      const boardHref = filings ? `/orgs/${org.inpo}/reports/board?form=${filings.form}&date=${filings.date}` : null;
      const figuresOf = (id: number): RowFigures => ({
        members: members.get(id) ?? NO_MEMBERS,
        orgs: orgs.get(id) ?? NO_ORGS,
        declared: declared.get(id) ?? null,
        filings: filings ? (filings.byChild.get(id) ?? { filed: 0, accepted: 0, returned: 0, overdue: 0 }) : null,
        online: null,
        invalidAddresses: null,
      });
      // the children's own figures of the online admission and the marked addresses (the root's own are in none)
      const childFigures = value.children.map((child) => ({
        child,
        figures: {
          ...figuresOf(child.id),
          online: { accepted: acceptedOf.get(child.inpo) ?? 0, waiting: waitingOf.get(child.inpo) ?? 0 },
          invalidAddresses: invalidOf.get(child.id) ?? 0,
        },
      }));
      const rows: MonitoringRow[] = childFigures.map(({ child, figures }) => ({
        org: child,
        label: child.shortName || child.name,
        declared: declared.get(child.id) ?? null,
        cells: rowCells(columns, figures, { inpo: child.inpo, boardHref, level: child.level }, on, reader),
      }));
      // members registered in the root itself (a ППО's own record under its subdivisions): a row of their own
      const own = members.get(org.id);
      if (own && own.members > 0)
        rows.push({
          org: null,
          label: 'Учёт в самой организации',
          declared: null,
          cells: rowCells(columns, { ...figuresOf(org.id), declared: null, filings: null }, null, on, NO_LISTS),
        });
      const childDeclared = value.children.flatMap((c) => declared.get(c.id) ?? []);
      const filingTotals = filings
        ? sum({ filed: 0, accepted: 0, returned: 0, overdue: 0 }, [...filings.byChild.values()])
        : null;
      const totals: MonitoringRow = {
        org: null,
        label: 'Итого',
        declared: declared.get(org.id) ?? null,
        cells: rowCells(
          columns,
          {
            members: sum(NO_MEMBERS, value.members),
            orgs: sum(NO_ORGS, value.orgs),
            declared: totalDeclared(declared.get(org.id), childDeclared),
            filings: filingTotals,
            online: sum(
              { accepted: 0, waiting: 0 },
              childFigures.map((c) => c.figures.online),
            ),
            invalidAddresses: childFigures.reduce((s, c) => s + c.figures.invalidAddresses, 0),
          },
          { inpo: org.inpo, boardHref, level: null },
          on,
          reader,
        ),
      };
      return { on, columns, rows, totals, campaign: filings && { form: filings.form, date: filings.date } };
    },
  };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
