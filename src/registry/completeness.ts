export interface PassportGaps {
  noChair: boolean;
  noChairTerm: boolean;
  chairTermExpired: boolean;
  noEmail: boolean;
  noHeadcount: boolean;
}

/** The mandatory fields a passport lacks, in the words the passport shows. */
export function missingFields(gaps: PassportGaps | undefined, level: string): string[] {
  if (!gaps) return [];
  const head = level === 'group' ? 'профгрупорг' : 'председатель';
  return [
    gaps.noChair && `не указан ${head}`,
    gaps.noChairTerm && 'не указан срок полномочий председателя',
    gaps.noEmail && 'не указан адрес электронной почты',
    gaps.noHeadcount && 'не указана численность работников и обучающихся',
  ].filter((v): v is string => typeof v === 'string');
}

export const GAPS_SQL_INCOMPLETE = '(g.no_chair OR g.no_chair_term OR g.no_email OR g.no_headcount)';
