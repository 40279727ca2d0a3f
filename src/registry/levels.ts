export const LEVELS = ['union', 'regional', 'okrug', 'territorial', 'primary', 'subdivision', 'group'] as const;
export type Level = (typeof LEVELS)[number];

export const LEVEL_LABELS: Record<Level, string> = {
  union: 'Профсоюз',
  regional: 'Региональная организация',
  okrug: 'Окружная организация',
  territorial: 'Территориальная организация',
  primary: 'Первичная профсоюзная организация',
  subdivision: 'Организация структурного подразделения',
  group: 'Профсоюзная группа',
};

export const EMPLOYER_KINDS = ['school', 'kindergarten', 'additional', 'college', 'university', 'research', 'authority', 'other'] as const;
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

/** Which levels an organization of each level may hang under (domain.md, "The organization tree"). */
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
