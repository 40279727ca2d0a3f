import { CARD_STATUSES, CARD_STATUS_LABELS, type CardStatus } from '../cards/card-statuses';
import { CATEGORIES, CATEGORY_LABELS } from '../membership/membership';
import { formatDate, formatNumber, formatPercent, plural } from '../shared/format';
import { bandOf, type Band } from './bands';
import type { FilingCounts } from '../reports/reports.service';
import type { DeclaredRow, MemberFigures, OrgFigures } from './monitoring.repo';
import type { OfficerFigures } from './officer-figures.repo';

/** What a row of the table knows: its figures and where the lists behind them are. */
export interface RowFigures {
  members: Omit<MemberFigures, 'childId'>;
  orgs: Omit<OrgFigures, 'childId'>;
  declared: Omit<DeclaredRow, 'organizationId' | 'source'> | null;
  filings: FilingCounts | null;
  /** online admission: applications accepted since 1 January of the date's year, and those waiting now */
  online: { accepted: number; waiting: number } | null;
  /** members on record now whose card's e-mail address is marked invalid */
  invalidAddresses: number | null;
  /** the current report-and-election campaign: organizations in scope and those that held it by the date */
  electionCampaign?: { held: number; inScope: number } | null;
  /** meetings of the bodies closed, dated from 1 January of the date's year up to the date */
  meetingsHeld: number | null;
  /** chairs without recent training and the reserve of cadres, today (officer-figures.repo.ts) */
  officers: Omit<OfficerFigures, 'childId'> | null;
}

export type { FilingCounts } from '../reports/reports.service';

/** Where a row's numbers lead: the organization whose lists hold them (none for the root's own record). */
export interface RowTarget {
  inpo: string;
  /** the filing board the row's filings are on */
  boardHref: string | null;
  /** the level of the child organization of the row; none for the totals (their lists hold more than the rows) */
  level: string | null;
}

interface Column {
  key: string;
  group: string;
  label: string;
  percent?: boolean;
  value: (f: RowFigures) => number | null;
  /** The list behind the number, under the row's organization; `on` is the monitoring's date. */
  href?: ((t: RowTarget, on: string) => string | null) & { list?: List };
  /** The coverage column carries the band. */
  banded?: boolean;
}

/** The lists a reader may lack the right to open: the member lists and the queues of applications. */
type List = 'members' | 'applications';

/** What the reader may open of the lists behind the numbers (the other lists come with the monitoring's own right). */
export type ListRights = Record<List, boolean>;

export interface Cell {
  value: number | null;
  text: string;
  href: string | null;
  band: Band | null;
}

/** A share in per cent to one decimal; none without a whole to compare with. */
export const pct = (part: number | null | undefined, whole: number | null | undefined) =>
  part == null || !whole ? null : Math.round((part / whole) * 1000) / 10;
const members = (query: string) =>
  Object.assign((t: RowTarget, on: string) => `/orgs/${t.inpo}/members?on=${on}${query ? `&${query}` : ''}`, {
    list: 'members' as const,
  });
const orgs = (query: string) => (t: RowTarget) => `/orgs/${t.inpo}/search?${query}`;
const board = (t: RowTarget) => t.boardHref;
/** The member list of a child as it is now (no date): the marks of addresses are a present state. */
const childMembersNow = (query: string) =>
  Object.assign((t: RowTarget) => (t.level ? `/orgs/${t.inpo}/members?${query}` : null), { list: 'members' as const });
/** The queue of a ППО lists exactly its waiting applications (a territory's lists only the overdue ones below it). */
const queue = Object.assign((t: RowTarget) => (t.level === 'primary' ? `/orgs/${t.inpo}/applications` : null), {
  list: 'applications' as const,
});

const CARD_KEYS: Record<CardStatus, keyof RowFigures['members']> = {
  requested: 'requested',
  sent_to_production: 'sentToProduction',
  produced: 'produced',
  delivered_to_region: 'deliveredToRegion',
  handed_to_organization: 'handedToOrganization',
  issued: 'issued',
  refused: 'refused',
  lost: 'lost',
  blocked: 'blocked',
};

/** The columns of the monitoring table, in order; `withTerritorial` for the levels that have territorial organizations below. */
/** A column builder for one group of the table. */
const inGroup =
  (group: string) =>
  (key: string, label: string, value: Column['value'], more: Partial<Column> = {}): Column => ({
    key,
    group,
    label,
    value,
    ...more,
  });

/** The columns of the monitoring table, in order; `withTerritorial` for the levels that have territorial organizations below. */
export function monitoringColumns(options: {
  withTerritorial: boolean;
  withFilings: boolean;
  on: string;
  /** the report-and-election campaign current on the date (campaigns/), when there is one */
  electionCampaign?: { id: number; name: string } | null;
  /** the years within which a chair counts as trained (OFFICER_TRAINING_YEARS) */
  trainingYears: number;
}): Column[] {
  const org = inGroup('Организации');
  const orgColumns: Column[] = [
    ...(options.withTerritorial
      ? [
          org('territorial', 'Территориальных в реестре', (f) => f.orgs.territorial, {
            href: orgs('level=territorial'),
          }),
          org('territorialDeclared', 'Территориальных по отчёту', (f) => f.declared?.territorialOrgs ?? null),
          org('territorialPct', 'Территориальных, %', (f) => pct(f.orgs.territorial, f.declared?.territorialOrgs), {
            percent: true,
          }),
        ]
      : []),
    org('primary', 'ППО в реестре', (f) => f.orgs.primary, { href: orgs('level=primary') }),
    org('primaryDeclared', 'ППО по отчёту', (f) => f.declared?.primaryOrgs ?? null),
    org('primaryPct', 'ППО, %', (f) => pct(f.orgs.primary, f.declared?.primaryOrgs), { percent: true }),
  ];
  const member = inGroup('Члены Профсоюза');
  const memberColumns: Column[] = [
    member('declared', 'По отчёту', (f) => f.declared?.membersTotal ?? null),
    member('members', 'На учёте', (f) => f.members.members, { href: members('') }),
    member('coverage', 'На учёте к отчёту, %', (f) => pct(f.members.members, f.declared?.membersTotal), {
      percent: true,
      banded: true,
    }),
    ...CATEGORIES.map((c) =>
      member(`members-${c}`, `${CATEGORY_LABELS[c]}: на учёте`, (f) => f.members[c], {
        href: members(`category=${c}`),
      }),
    ),
    ...CATEGORIES.map((c) =>
      member(`declared-${c}`, `${CATEGORY_LABELS[c]}: по отчёту`, (f) => f.declared?.[c] ?? null),
    ),
  ];
  const passport = inGroup('Паспорта ППО (на сегодня)');
  const passportColumns: Column[] = (
    [
      ['noChair', 'no_chair', 'ППО без председателя'],
      ['expiredTerm', 'expired_term', 'ППО с истёкшим сроком полномочий'],
      ['noTerm', 'no_term', 'ППО без срока полномочий'],
      ['noMembers', 'no_members', 'ППО без членов на учёте'],
      ['incomplete', 'incomplete', 'ППО с незаполненным паспортом'],
    ] as const
  ).map(([key, filter, label]) =>
    passport(key, label, (f) => f.orgs[key], { href: orgs(`level=primary&filter=${filter}`) }),
  );
  const card = inGroup('Профсоюзные билеты (состояние сегодня)');
  const cardColumns: Column[] = [
    ...CARD_STATUSES.map((s) =>
      card(
        `card-${s}`,
        s === 'delivered_to_region' ? 'Доставлен в регион, не выдан' : CARD_STATUS_LABELS[s],
        (f) => f.members[CARD_KEYS[s]],
        { href: members(`card=${s}`) },
      ),
    ),
    card('card-none', 'Без действующей карты', (f) => f.members.withoutCard, { href: members('card=none') }),
    card('issued-plastic', 'Выдано пластиковых', (f) => f.members.issuedPlastic, {
      href: members('card=issued&cardKind=plastic'),
    }),
    card('issued-virtual', 'Выдано виртуальных', (f) => f.members.issuedVirtual, {
      href: members('card=issued&cardKind=virtual'),
    }),
    card('issued-pct', 'Выдано, % членов на учёте', (f) => pct(f.members.issued, f.members.members), {
      percent: true,
    }),
  ];
  const consent = inGroup('Согласия');
  const consentColumns: Column[] = [
    consent('processing-pct', 'На обработку данных, %', (f) => pct(f.members.processingConsent, f.members.members), {
      percent: true,
    }),
    consent('no-processing', 'Без согласия на обработку', (f) => f.members.withoutProcessingConsent, {
      href: members('consent=no_processing'),
    }),
    consent('mailing', 'На рассылку', (f) => f.members.mailingConsent, { href: members('consent=mailing') }),
    consent('mailing-pct', 'На рассылку, %', (f) => pct(f.members.mailingConsent, f.members.members), {
      percent: true,
    }),
  ];
  const online = inGroup('Вступление онлайн');
  const onlineColumns: Column[] = [
    online(
      'online-accepted',
      `Принято заявлений с ${formatDate(yearStartOf(options.on))} по ${formatDate(options.on)}`,
      (f) => f.online?.accepted ?? null,
    ),
    online('online-waiting', 'Ждут решения (сегодня)', (f) => f.online?.waiting ?? null, { href: queue }),
  ];
  const addressColumns: Column[] = [
    inGroup('Электронная почта (сегодня)')('address-invalid', 'Адрес недействителен', (f) => f.invalidAddresses, {
      href: childMembersNow('address=invalid'),
    }),
  ];
  // the meetings list of the row's organization, cut to the closed meetings of the period it counts
  const heldMeetings = Object.assign(
    (t: RowTarget, on: string) => `/orgs/${t.inpo}/meetings?from=${yearStartOf(on)}&to=${on}`,
    {
      list: 'members' as const,
    },
  );
  const meetingColumns: Column[] = [
    inGroup('Собрания')(
      'meetings-held',
      `Проведено с ${formatDate(yearStartOf(options.on))} по ${formatDate(options.on)}`,
      (f) => f.meetingsHeld,
      { href: heldMeetings },
    ),
  ];
  const cadre = inGroup('Кадры (на сегодня)');
  const years = options.trainingYears;
  const officerColumns: Column[] = [
    cadre(
      'chairs-untrained',
      `Председатели без обучения за ${years} ${plural(years, ['год', 'года', 'лет'])}`,
      (f) => f.officers?.chairsUntrained ?? null,
    ),
    cadre('reserve', 'В кадровом резерве', (f) => f.officers?.reserve ?? null),
  ];
  const filing = inGroup('Отчёты текущей кампании');
  const filingColumns: Column[] = options.withFilings
    ? (
        [
          ['filed', 'Сдано'],
          ['accepted', 'Принято'],
          ['returned', 'Возвращено'],
          ['overdue', 'Просрочено'],
        ] as const
      ).map(([key, label]) => filing(`filings-${key}`, label, (f) => f.filings?.[key] ?? null, { href: board }))
    : [];
  const electionColumns = options.electionCampaign ? electionCampaignColumns(options.electionCampaign) : [];
  return [
    ...orgColumns,
    ...memberColumns,
    ...passportColumns,
    ...cardColumns,
    ...consentColumns,
    ...onlineColumns,
    ...addressColumns,
    ...meetingColumns,
    ...officerColumns,
    ...filingColumns,
    ...electionColumns,
  ];
}

/** The current report-and-election campaign: held of the organizations in scope, each number leading to its list. */
function electionCampaignColumns(campaign: { id: number; name: string }): Column[] {
  const column = inGroup(`Отчёты и выборы: ${campaign.name}`);
  const tasks = (state: string) => (t: RowTarget, on: string) =>
    `/orgs/${t.inpo}/campaigns/${campaign.id}/tasks?on=${on}${state ? `&state=${state}` : ''}`;
  return [
    column('campaign-scope', 'Участвуют', (f) => f.electionCampaign?.inScope ?? null, { href: tasks('') }),
    column('campaign-held', 'Проведено', (f) => f.electionCampaign?.held ?? null, { href: tasks('held') }),
    column('campaign-pct', 'Проведено, %', (f) => pct(f.electionCampaign?.held, f.electionCampaign?.inScope), {
      percent: true,
    }),
  ];
}

/** The first day of the date's year: the online admissions are counted from it up to the date. */
export const yearStartOf = (on: string) => `${on.slice(0, 4)}-01-01`;

/** The cells of a row: the figure, its text, the list behind it (when the reader may open it) and the band. */
export function rowCells(
  columns: Column[],
  figures: RowFigures,
  target: RowTarget | null,
  on: string,
  may: ListRights,
): Cell[] {
  return columns.map((c) => {
    const value = c.value(figures);
    const text = c.percent ? formatPercent(value) : formatNumber(value);
    const mayLink = target && c.href && value != null && (!c.href.list || may[c.href.list]);
    return {
      value,
      text,
      href: mayLink ? c.href!(target, on) : null,
      band: c.banded ? bandOf(value) : null,
    };
  });
}

/** The column groups as (label, span) for the table's first header row. */
export function columnGroups(columns: Column[]): { label: string; span: number }[] {
  const groups: { label: string; span: number }[] = [];
  for (const c of columns) {
    const last = groups[groups.length - 1];
    if (last && last.label === c.group) last.span += 1;
    else groups.push({ label: c.group, span: 1 });
  }
  return groups;
}

export type { Column };
