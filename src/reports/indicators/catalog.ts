import type { ColumnKey } from '../forms/form-schema';

// The vocabulary of form formulas (forms.md, "Indicators"). Each indicator belongs to a group that is
// computed by one set-based query (engine.ts); `where` is its filter inside that query. Counts of
// people have the three columns; headcounts and counts of organizations have only the total.

export type IndicatorGroup =
  | 'state'
  | 'start'
  | 'movement'
  | 'headcount'
  | 'territory'
  | 'officers'
  | 'structure'
  | 'agreements'
  | 'own_agreement'
  | 'filings'
  | 'cards';

export interface Indicator {
  group: IndicatorGroup;
  label: string;
  /** SQL filter over the group's rows (or, for sums, the summed expression after '|') */
  where: string;
  columns: readonly ColumnKey[];
  /** counted in the children and added up: a consolidation from filed reports sums it */
  summable: boolean;
  /** distinct persons, not posts */
  distinct?: boolean;
  /** an amount to add up instead of a count of rows */
  sum?: string;
}

const PEOPLE = ['total', 'women', 'youth'] as const;
const TOTAL = ['total'] as const;

const person = (group: IndicatorGroup, label: string, where: string, extra: Partial<Indicator> = {}): Indicator => ({
  group,
  label,
  where,
  columns: PEOPLE,
  summable: true,
  ...extra,
});
const orgs = (group: IndicatorGroup, label: string, where: string, extra: Partial<Indicator> = {}): Indicator => ({
  group,
  label,
  where,
  columns: TOTAL,
  summable: false,
  ...extra,
});
const amount = (group: IndicatorGroup, label: string, sum: string, where = 'true', summable = true): Indicator => ({
  group,
  label,
  where,
  sum,
  columns: TOTAL,
  summable,
});

const ACTIVIST_POSTS =
  "f.post IN ('chair','deputy','committee','audit','commission','group_organizer','safety_rep') AND o.level IN ('primary','subdivision','group')";
const EDUCATIONAL_KINDS = "('school','kindergarten','additional','college','university')";
const own = (post: string, label: string, extra = '') =>
  person('officers', label, `o.id = r.root_id AND f.post = '${post}'${extra}`, { summable: false });
/** the own paid staff: the four kinds forms.md names, and 'staff' of any other kind */
const STAFF_POSTS = "('staff','staff_specialist','staff_accountant','staff_legal_inspector','staff_safety_inspector')";

export const INDICATORS: Record<string, Indicator> = {
  // members on the date, by the category of their period then (c: a member period)
  members: person('state', 'Члены Профсоюза на учёте', 'true'),
  members_working: person('state', 'Работающие члены Профсоюза', "c.category = 'working'"),
  members_student: person('state', 'Обучающиеся члены Профсоюза', "c.category = 'student'"),
  members_pensioner: person('state', 'Неработающие пенсионеры на учёте', "c.category = 'pensioner'"),
  members_unemployed: person('state', 'Временно не работающие члены Профсоюза', "c.category = 'unemployed'"),
  members_ped: person(
    'state',
    'Члены Профсоюза на педагогических должностях',
    "c.category = 'working' AND c.is_pedagogical",
  ),
  members_parental_leave: person('state', 'Члены Профсоюза в отпуске по уходу за ребёнком', 'c.on_parental_leave'),
  members_at_start: person('start', 'Члены Профсоюза на начало периода', 'true'),

  // movement in the period (start, date]
  admitted: person('movement', 'Принято в Профсоюз', "kind = 'admitted'"),
  transferred_in: person('movement', 'Прибыло по переводу из другой организации', "kind = 'transferred_in'"),
  transferred_out: person('movement', 'Выбыло по переводу в другую организацию', "kind = 'transferred_out'"),
  left_total: person('movement', 'Выбыло всего', "kind NOT IN ('admitted','transferred_in')"),
  left_voluntary: person('movement', 'Вышло добровольно', "kind = 'voluntary'"),
  left_expelled: person('movement', 'Исключено', "kind = 'expelled'"),
  left_dismissed: person(
    'movement',
    'Снято с учёта при увольнении, окончании обучения, переводе',
    "kind IN ('dismissed','graduated','transferred_out')",
  ),
  left_other: person(
    'movement',
    'Выбыло по иным причинам (смерть и др.)',
    "kind NOT IN ('admitted','transferred_in','voluntary','expelled','dismissed','graduated','transferred_out')",
  ),

  // the employers' headcount on the date (passports of the primary organizations)
  staff_total: amount('headcount', 'Работников у работодателей', 'h.employees_total'),
  staff_ped: amount('headcount', 'Педагогических работников у работодателей', 'h.employees_pedagogical'),
  students_total: amount('headcount', 'Обучающихся у работодателей', 'h.students_total'),
  institutions_total: amount(
    'territory',
    'Образовательных организаций на территории (по данным территориальных организаций)',
    'h.institutions_total',
    'true',
    false,
  ),

  // officers and activists of the primary organizations on the date
  officers_chair: person('officers', 'Председатели ППО', "f.post = 'chair' AND o.level = 'primary'"),
  officers_chair_salaried: person(
    'officers',
    'Председатели ППО, освобождённые (штатные)',
    "f.post = 'chair' AND o.level = 'primary' AND f.salaried",
  ),
  officers_deputy: person('officers', 'Заместители председателей ППО', "f.post = 'deputy' AND o.level = 'primary'"),
  officers_committee: person(
    'officers',
    'Члены профкомов (без председателя)',
    "f.post = 'committee' AND o.level = 'primary'",
  ),
  officers_audit: person(
    'officers',
    'Члены контрольно-ревизионных комиссий',
    "f.post = 'audit' AND o.level = 'primary'",
  ),
  officers_commission: person(
    'officers',
    'Члены комиссий профкомов',
    "f.post = 'commission' AND o.level IN ('primary','subdivision')",
  ),
  officers_group_organizer: person(
    'officers',
    'Профгрупорги',
    "(f.post = 'group_organizer' AND o.level IN ('primary','subdivision','group')) OR (f.post = 'chair' AND o.level = 'group')",
  ),
  officers_subdivision_chair: person(
    'officers',
    'Председатели организаций структурных подразделений',
    "f.post = 'chair' AND o.level = 'subdivision'",
  ),
  officers_safety_rep: person(
    'officers',
    'Уполномоченные по охране труда',
    "f.post = 'safety_rep' AND o.level IN ('primary','subdivision','group')",
  ),
  activists: person('officers', 'Профсоюзный актив (разные люди)', ACTIVIST_POSTS, { distinct: true }),
  activists_trained: person(
    'officers',
    'Актив, прошедший обучение в периоде',
    `${ACTIVIST_POSTS} AND f.trained_on > :start AND f.trained_on <= :date`,
    { distinct: true },
  ),

  // the consolidating organization's own bodies and staff
  own_chair: own('chair', 'Председатель организации'),
  own_chair_salaried: own('chair', 'Председатель организации, освобождённый', ' AND f.salaried'),
  own_deputy: own('deputy', 'Заместители председателя организации'),
  own_committee: own('committee', 'Члены комитета (совета) организации'),
  own_presidium: own('presidium', 'Члены президиума'),
  own_audit: own('audit', 'Члены контрольно-ревизионной комиссии организации'),
  own_staff: person('officers', 'Штатные работники аппарата', `o.id = r.root_id AND f.post IN ${STAFF_POSTS}`, {
    summable: false,
  }),
  own_staff_specialist: own('staff_specialist', 'Штатные специалисты аппарата'),
  own_staff_accountant: own('staff_accountant', 'Штатные бухгалтеры аппарата'),
  own_staff_legal_inspector: own('staff_legal_inspector', 'Штатные правовые инспекторы труда'),
  own_staff_safety_inspector: own('staff_safety_inspector', 'Штатные технические инспекторы труда'),
  own_volunteer_inspector: own('volunteer_inspector', 'Внештатные (общественные) инспекторы'),

  // electronic union cards of the members on record, by their status on the date
  cards_in_production: person(
    'cards',
    'ЭПБ: заявка, в производстве, изготовлены',
    "cs.status IN ('requested','sent_to_production','produced')",
  ),
  cards_awaiting_issue: person(
    'cards',
    'ЭПБ: доставлены, но ещё не выданы',
    "cs.status IN ('delivered_to_region','handed_to_organization')",
  ),
  cards_issued: person('cards', 'ЭПБ: выданы', "cs.status = 'issued'"),
  cards_refused: person('cards', 'ЭПБ: отказ', "cs.status = 'refused'"),
  cards_refused_no_virtual: person(
    'cards',
    'Отказались от карты и не имеют виртуальной',
    "cs.status = 'refused' AND NOT EXISTS (SELECT 1 FROM union_cards v WHERE v.member_id = m.id AND v.kind = 'virtual' AND v.status NOT IN ('refused','lost','blocked'))",
  ),
  cards_lost: person('cards', 'ЭПБ: утрачены или повреждены', "cs.status = 'lost'"),

  // the tree below the organization on the date
  primary_total: orgs('structure', 'Первичных профсоюзных организаций', "u.level = 'primary'"),
  primary_school: orgs(
    'structure',
    'ППО общеобразовательных организаций',
    "u.level = 'primary' AND u.employer_kind = 'school'",
  ),
  primary_kindergarten: orgs(
    'structure',
    'ППО дошкольных организаций',
    "u.level = 'primary' AND u.employer_kind = 'kindergarten'",
  ),
  primary_additional: orgs(
    'structure',
    'ППО организаций дополнительного образования',
    "u.level = 'primary' AND u.employer_kind = 'additional'",
  ),
  primary_college: orgs(
    'structure',
    'ППО профессиональных образовательных организаций',
    "u.level = 'primary' AND u.employer_kind = 'college'",
  ),
  primary_university: orgs('structure', 'ППО вузов', "u.level = 'primary' AND u.employer_kind = 'university'"),
  primary_research: orgs(
    'structure',
    'ППО научных организаций',
    "u.level = 'primary' AND u.employer_kind = 'research'",
  ),
  primary_authority: orgs(
    'structure',
    'ППО органов управления образованием',
    "u.level = 'primary' AND u.employer_kind = 'authority'",
  ),
  primary_other: orgs(
    'structure',
    'ППО иных организаций',
    "u.level = 'primary' AND (u.employer_kind = 'other' OR u.employer_kind IS NULL)",
  ),
  primary_educational: orgs(
    'structure',
    'ППО образовательных организаций',
    `u.level = 'primary' AND u.employer_kind IN ${EDUCATIONAL_KINDS}`,
  ),
  primary_small: orgs('structure', 'Малочисленных ППО (менее 15 членов)', "u.level = 'primary' AND u.size < 15"),
  primary_direct: orgs('structure', 'ППО на прямом учёте', "u.level = 'primary' AND u.parent_id = r.root_id"),
  primary_territorial_rights: orgs(
    'structure',
    'ППО с правами территориальной',
    "u.level = 'primary' AND u.has_territorial_rights",
  ),
  groups_total: orgs('structure', 'Профсоюзных групп', "u.level = 'group'"),
  territorial_total: orgs('structure', 'Территориальных организаций', "u.level = 'territorial'"),
  primary_filed: orgs('filings', 'ППО, сдавших отчёт', 'true'),

  // collective agreements of the primary organizations (the root's own when it is a ППО)
  agreement_orgs: orgs('agreements', 'Организаций с ППО', 'true'),
  agreement_active: orgs('agreements', 'Действующих коллективных договоров', 'a.active'),
  agreement_concluded: orgs(
    'agreements',
    'Заключено (продлено) коллективных договоров в периоде',
    'ca.signed_on > :start AND ca.signed_on <= :date',
  ),
  agreement_negotiating: orgs('agreements', 'Ведутся коллективные переговоры', "ca.status = 'negotiating'"),
  agreement_missing_negotiating: orgs(
    'agreements',
    'Без договора, ведутся переговоры',
    "NOT a.active AND ca.status = 'negotiating'",
  ),
  agreement_annexes: amount('agreements', 'Приложений к действующим договорам', 'a.annexes', 'a.active', false),
  agreement_staff_total: amount('agreements', 'Работников в организациях с ППО', 'h.employees_total', 'true', false),
  agreement_staff_covered: amount(
    'agreements',
    'Работников, на которых распространяется договор',
    'h.employees_total',
    'a.active',
    false,
  ),
  agreement_members_total: amount(
    'agreements',
    'Работающих членов Профсоюза в организациях с ППО',
    'a.working_members',
    'true',
    false,
  ),
  agreement_members_covered: amount(
    'agreements',
    'Членов Профсоюза, на которых распространяется договор',
    'a.working_members',
    'a.active',
    false,
  ),
  // the consolidating organization's own (sectoral, territorial) agreement: КДК-2 line 09
  own_agreement_active: orgs('own_agreement', 'Собственное соглашение организации действует на дату', 'a.active'),
};

/** Text fields of the organization's own passport on the report date, for text lines (КДК-1 02, 03, 08, 09; КДК-2 10, 11). */
export const TEXT_FIELDS: Record<string, string> = {
  agreement_term: 'Дата подписания и срок действия коллективного договора',
  agreement_registration: 'Уведомительная регистрация коллективного договора',
  agreement_annex_titles: 'Приложения к коллективному договору',
  agreement_none_reason: 'Причина отсутствия коллективного договора',
};

/** Row lists for list forms (КДКО). */
export const LISTS: Record<string, { label: string; columns: readonly string[] }> = {
  primary_agreements: {
    label: 'Коллективные договоры первичных организаций',
    columns: [
      'name',
      'inpo',
      'employer_kind',
      'has_agreement',
      'signed_on',
      'valid_from',
      'valid_to',
      'staff_covered',
      'members_covered',
      'status',
    ],
  },
};

export function isIndicator(name: string): boolean {
  return Object.hasOwn(INDICATORS, name);
}
