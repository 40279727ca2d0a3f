import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import type { Reads } from '../db/replica';
import type { Campaign, ReportsService } from '../reports/reports.service';
import { bandOf, type Band } from './bands';
import type { JoinService } from '../join/join.service';
import { invalidAddressesPerChild } from '../members/email-validity';
import { meetingsHeldPerChild } from './meetings-held.repo';
import type { FiledFigures } from '../reports/filed-figures.repo';
import type { OrgRow } from '../registry/org-row';
import { todayIso } from '../shared/dates';
import {
  childrenOn,
  latestDeclared,
  listDeclared,
  memberFiguresOn,
  membersNowByChild,
  ppoCountsOn,
  orgFiguresOn,
  refreshMemberFigures,
  saveDeclared,
  type ChildOrg,
  type DeclaredRow,
  type MemberFigures,
  type OrgFigures,
} from './monitoring.repo';
import type { DeclaredFiguresInput } from './declared.schemas';
import { officerFiguresByChild, type OfficerFigures } from './officer-figures.repo';

/** The hourly housekeeping's part: today's figures of the union kept, old dates forgotten. */
export { warmMonitoring } from './monitoring.repo';
import { importDeclared } from './declared-import';
import type { Principal } from '../access/principal';
import {
  monitoringColumns,
  pct,
  rowCells,
  yearStartOf,
  type Cell,
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

/** A chair trained longer ago than this many years counts as without training (config OFFICER_TRAINING_YEARS). */
const TRAINING_YEARS = 3;
const NO_OFFICERS: Omit<OfficerFigures, 'childId'> = { chairsUntrained: 0, reserve: 0 };

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

/** Each organization's statistical report figures: the filed report's or the entered ones, by declaredOf. */
function declaredById(ids: number[], entered: DeclaredRow[], filed: FiledFigures[]): Map<number, DeclaredRow> {
  const enteredById = new Map(entered.map((d) => [d.organizationId, d]));
  const filedById = new Map(filed.map((f) => [f.organizationId, f]));
  return new Map(
    ids.flatMap((id) => {
      const d = declaredOf(enteredById.get(id), filedById.get(id));
      return d ? [[id, d] as const] : [];
    }),
  );
}

/** The declared figures as the audit row records them. */
const auditValues = ({ onDate: _onDate, ...figures }: DeclaredFiguresInput) => figures;

/**
 * The online admission's counts, handed in by the composition root (deps.ts): `join` comes after
 * `monitoring` in the feature order, so monitoring knows the join service by its type only.
 */
export type OnlineAdmissions = Pick<JoinService, 'admissionsByChild' | 'waitingByChild'>;

/**
 * The current report-and-election campaign's progress per child (and the root's own task), handed in by the
 * composition root like the online admission: `campaigns` comes after `monitoring` in the feature order.
 */
export interface ElectionCampaigns {
  progressPerChild(
    org: OrgRow,
    on: string,
  ): Promise<{
    id: number;
    name: string;
    perOrganization: { organizationId: number; inScope: number; held: number }[];
  } | null>;
}

export function createMonitoringService(
  db: Knex,
  reads: Reads,
  reports: ReportsService,
  join: OnlineAdmissions,
  {
    dashboardKeptMs = DASHBOARD_KEPT_MS,
    electionCampaigns,
    trainingYears = TRAINING_YEARS,
  }: { dashboardKeptMs?: number; electionCampaigns?: ElectionCampaigns; trainingYears?: number } = {},
) {
  /**
   * The home page's figures of a subtree, from the maintained statistics only (the counters of members
   * on record, the member state of the reporting date) and the monitoring's own definitions: members on
   * record now and on the current campaign's reporting date, ППО, coverage vs the declared figures with
   * its band, the children of lowest coverage, and the campaign's filings.
   */
  async function computeDashboard(org: OrgRow): Promise<Dashboard> {
    const on = todayIso();
    const [children, now, ppo, campaign] = await Promise.all([
      childrenOn(db, org, on),
      membersNowByChild(db, org),
      ppoCountsOn(db, org, on),
      reports.campaign(org),
    ]);
    const ids = [org.id, ...children.map((c) => c.id)];
    const [entered, filed, then] = await Promise.all([
      latestDeclared(db, ids, on),
      reports.filedFigures(ids, on),
      campaign ? reports.builtMembersOn(org, campaign.formVersion, campaign.date) : null,
    ]);
    const declared = declaredById(ids, entered, filed);
    const membersOf = new Map(now.map((n) => [n.childId, n.members]));
    const members = now.reduce((sum, n) => sum + n.members, 0);
    const total = totalDeclared(
      declared.get(org.id),
      children.flatMap((c) => declared.get(c.id) ?? []),
    );
    const coverage = pct(members, total?.membersTotal);
    const worst = children
      .flatMap((child): CoverageRow[] => {
        const d = declared.get(child.id);
        const value = pct(membersOf.get(child.id) ?? 0, d?.membersTotal);
        const band = bandOf(value);
        return d && value != null && band
          ? [{ org: child, members: membersOf.get(child.id) ?? 0, declared: d.membersTotal, coverage: value, band }]
          : [];
      })
      .sort((a, b) => a.coverage - b.coverage || a.org.name.localeCompare(b.org.name, 'ru'))
      .slice(0, WORST_CHILDREN);
    return {
      on,
      computedAt: new Date(),
      members,
      previous: campaign && { date: campaign.date, members: then },
      primary: ppo.primary,
      expiredTerm: ppo.expiredTerm,
      declared: total && { onDate: total.onDate, membersTotal: total.membersTotal },
      coverage,
      band: bandOf(coverage),
      worst,
      campaign,
    };
  }

  /** Each subtree's kept dashboard: when it was counted, and the figures (a promise while the first count runs). */
  const keptDashboards = new Map<number, { at: number; value: Promise<Dashboard>; refreshing: boolean }>();

  return {
    /**
     * The home page's figures of a subtree (computeDashboard), kept `dashboardKeptMs` per process: the
     * first request of a subtree counts them; later ones read them, and once they are older a request starts
     * a count in the background and still reads the kept ones — a coordinator's home page counts its region's
     * counters, organizations and filings at most once a minute, not on each visit. The page says when they
     * were counted.
     */
    dashboard(org: OrgRow): Promise<Dashboard> {
      if (dashboardKeptMs <= 0) return computeDashboard(org);
      const kept = keptDashboards.get(org.id);
      if (!kept) {
        const value = computeDashboard(org);
        keptDashboards.set(org.id, { at: Date.now(), value, refreshing: false });
        value.catch(() => keptDashboards.delete(org.id));
        return value;
      }
      if (Date.now() - kept.at > dashboardKeptMs && !kept.refreshing) {
        kept.refreshing = true;
        computeDashboard(org).then(
          (fresh) => keptDashboards.set(org.id, { at: Date.now(), value: Promise.resolve(fresh), refreshing: false }),
          () => (kept.refreshing = false),
        );
      }
      return kept.value;
    },

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
        const [children, members, orgs, invalid, meetingsHeld, officers] = await Promise.all([
          childrenOn(db, org, on),
          memberFiguresOn(db, org, on),
          orgFiguresOn(db, org, on),
          invalidAddressesPerChild(db, org),
          meetingsHeldPerChild(db, org, { from: yearStartOf(on), to: on }),
          officerFiguresByChild(db, org, todayIso(), trainingYears),
        ]);
        const declared = await latestDeclared(db, [org.id, ...children.map((c) => c.id)], on);
        return { children, members, orgs, invalid, meetingsHeld, officers, declared };
      });
      const ids = [org.id, ...value.children.map((c) => c.id)];
      const [filings, filed, accepted, waiting, election] = await Promise.all([
        reports.campaign(org),
        reports.filedFigures(ids, on),
        join.admissionsByChild(org, yearStartOf(on), on),
        join.waitingByChild(org),
        electionCampaigns ? electionCampaigns.progressPerChild(org, on) : null,
      ]);
      const electionOf = new Map(election?.perOrganization.map((e) => [e.organizationId, e]) ?? []);
      const acceptedOf = new Map(accepted.map((a) => [a.inpo, a.admissions]));
      const waitingOf = new Map(waiting.map((w) => [w.inpo, w.waiting]));
      const invalidOf = new Map(value.invalid.map((i) => [i.organizationId, i.members]));
      const heldOf = new Map(value.meetingsHeld.children.map((h) => [h.organizationId, h.meetings]));
      const declared = declaredById(ids, value.declared, filed);
      const columns = monitoringColumns({
        withTerritorial: ['union', 'regional', 'okrug'].includes(org.level),
        withFilings: !!filings,
        on,
        electionCampaign: election && { id: election.id, name: election.name },
        trainingYears: trainingYears,
      });
      const members = new Map(value.members.map((m) => [m.childId, m]));
      const orgs = new Map(value.orgs.map((o) => [o.childId, o]));
      const officers = new Map(value.officers.map((o) => [o.childId, o]));
      const boardHref = filings ? `/orgs/${org.inpo}/reports/board?form=${filings.form}&date=${filings.date}` : null;
      const figuresOf = (id: number): RowFigures => ({
        members: members.get(id) ?? NO_MEMBERS,
        orgs: orgs.get(id) ?? NO_ORGS,
        declared: declared.get(id) ?? null,
        filings: filings ? (filings.byChild.get(id) ?? { filed: 0, accepted: 0, returned: 0, overdue: 0 }) : null,
        online: null,
        invalidAddresses: null,
        meetingsHeld: null,
        officers: officers.get(id) ?? NO_OFFICERS,
      });
      // the children's own figures of the online admission and the marked addresses (the root's own are in none)
      const childFigures = value.children.map((child) => ({
        child,
        figures: {
          ...figuresOf(child.id),
          online: { accepted: acceptedOf.get(child.inpo) ?? 0, waiting: waitingOf.get(child.inpo) ?? 0 },
          invalidAddresses: invalidOf.get(child.id) ?? 0,
          electionCampaign: election ? (electionOf.get(child.id) ?? { held: 0, inScope: 0 }) : null,
          meetingsHeld: heldOf.get(child.id) ?? 0,
        },
      }));
      const rows: MonitoringRow[] = childFigures.map(({ child, figures }) => ({
        org: child,
        label: child.shortName || child.name,
        declared: declared.get(child.id) ?? null,
        cells: rowCells(columns, figures, { inpo: child.inpo, boardHref, level: child.level }, on, reader),
      }));
      // members registered in the root itself (a ППО's own record under its subdivisions) and the root's own
      // campaign task (a region's own conference) and meetings, which the total counts: a row of their own, so
      // that the rows add up to the total
      const own = members.get(org.id);
      const ownElection = electionOf.get(org.id);
      if ((own && own.members > 0) || ownElection || value.meetingsHeld.own > 0) {
        const ownFigures = {
          ...figuresOf(org.id),
          declared: null,
          filings: null,
          electionCampaign: election ? (ownElection ?? { held: 0, inScope: 0 }) : null,
          meetingsHeld: value.meetingsHeld.own,
        };
        rows.push({
          org: null,
          label: 'Учёт в самой организации',
          declared: null,
          cells: rowCells(columns, ownFigures, null, on, NO_LISTS),
        });
      }
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
            electionCampaign:
              election &&
              sum(
                { held: 0, inScope: 0 },
                election.perOrganization.map(({ held, inScope }) => ({ held, inScope })),
              ),
            // the root's own meetings too: the total is the subtree's
            meetingsHeld: childFigures.reduce((s, c) => s + c.figures.meetingsHeld, value.meetingsHeld.own),
            officers: sum(
              NO_OFFICERS,
              value.officers.map(({ childId: _child, ...o }) => o),
            ),
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

/** A child on the home page's list of the lowest coverage. */
export interface CoverageRow {
  org: ChildOrg;
  members: number;
  declared: number;
  coverage: number;
  band: Band;
}

/** The home page's dashboard figures of a subtree (monitoring.service `dashboard`). */
export interface Dashboard {
  on: string;
  /** when the figures were counted (they are kept a minute) */
  computedAt: Date;
  members: number;
  /** members on record on the campaign's reporting date, from the maintained statistics; null when not built */
  previous: { date: string; members: number | null } | null;
  primary: number;
  expiredTerm: number;
  declared: { onDate: string; membersTotal: number } | null;
  coverage: number | null;
  band: Band | null;
  /** the children with the lowest coverage, lowest first (those with declared figures) */
  worst: CoverageRow[];
  campaign: Campaign | null;
}

export const WORST_CHILDREN = 10;
/** How long a subtree's dashboard figures are kept before a background refresh (config DASHBOARD_KEPT_SECONDS). */
const DASHBOARD_KEPT_MS = 60_000;

export type MonitoringService = ReturnType<typeof createMonitoringService>;
