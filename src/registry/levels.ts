export const LEVELS = ['union', 'regional', 'okrug', 'territorial', 'primary', 'subdivision', 'group'] as const;
export type Level = (typeof LEVELS)[number];

/** Where members are registered: a ППО, its subdivisions and groups. */
export const REGISTRATION_LEVELS: ReadonlySet<string> = new Set(['primary', 'subdivision', 'group']);

export const LEVEL_LABELS: Record<Level, string> = {
  union: 'Профсоюз',
  regional: 'Региональная организация',
  okrug: 'Окружная организация',
  territorial: 'Территориальная организация',
  primary: 'Первичная профсоюзная организация',
  subdivision: 'Организация структурного подразделения',
  group: 'Профсоюзная группа',
};

export const EMPLOYER_KINDS = [
  'school',
  'kindergarten',
  'additional',
  'college',
  'university',
  'research',
  'authority',
  'other',
] as const;
export type EmployerKind = (typeof EMPLOYER_KINDS)[number];

export const EMPLOYER_KIND_LABELS: Record<EmployerKind, string> = {
  school: 'Общеобразовательная организация',
  kindergarten: 'Дошкольная образовательная организация',
  additional: 'Организация дополнительного образования',
  college: 'Профессиональная образовательная организация',
  university: 'Образовательная организация высшего образования',
  research: 'Научная организация',
  authority: 'Орган управления образованием',
  other: 'Иная организация',
};

/** The primary statistical forms a ППО may file: 5-СП (schools and the like), 4-СП (colleges and universities), 3-СП; chosen in its passport. */
export const PRIMARY_FORMS = ['5-SP', '4-SP', '3-SP'] as const;
export type PrimaryForm = (typeof PRIMARY_FORMS)[number];

export const PRIMARY_FORM_LABELS: Record<PrimaryForm, string> = {
  '5-SP': '5-СП — члены Профсоюза из работников',
  '4-SP': '4-СП — работники и обучающиеся',
  '3-SP': '3-СП — только обучающиеся',
};

/** What a new ППО files until its passport says otherwise: colleges and universities have students too. */
export const defaultPrimaryForm = (kind: EmployerKind | null | undefined): PrimaryForm =>
  kind === 'college' || kind === 'university' ? '4-SP' : '5-SP';

/** Which levels an organization of each level may hang under: the union's tree as its charter builds it. */
export const ALLOWED_PARENT_LEVELS: Record<Level, readonly Level[]> = {
  union: [],
  regional: ['union'],
  okrug: ['regional'],
  territorial: ['regional', 'okrug'],
  primary: ['regional', 'okrug', 'territorial', 'primary'],
  subdivision: ['primary'],
  group: ['primary', 'subdivision'],
};

/** A ППО may hold other ППО only when it has the rights of a territorial organization. */
export function mayContain(parent: { level: Level; hasTerritorialRights: boolean }, childLevel: Level): boolean {
  if (!ALLOWED_PARENT_LEVELS[childLevel].includes(parent.level)) return false;
  return !(parent.level === 'primary' && childLevel === 'primary' && !parent.hasTerritorialRights);
}
