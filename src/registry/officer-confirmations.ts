import type { Confirmation } from '../http/confirmation';
import { formatDate } from '../shared/format';
import { OFFICER_POST_LABELS, type OfficerPost } from './officer-posts';
import type { OrgRow } from './orgs.repo';
import type { OfficerRow } from './passport.repo';

type Named = Pick<OfficerRow, 'surname' | 'name' | 'patronymic'>;

/** «Волкова Е. С.»: the name stays in the nominative, so messages never decline it wrongly. */
export function surnameWithInitials(person: Named): string {
  const initials = [person.name, person.patronymic]
    .filter((part): part is string => Boolean(part))
    .map((part) => `${part[0]}.`);
  return [person.surname, initials.join(' ')].filter(Boolean).join(' ');
}

/** Posts one person holds at a time: electing a new holder ends the current one's powers (passport.service). */
const SINGLE_HOLDER_POSTS: readonly OfficerPost[] = ['chair', 'group_organizer'];

/** The officer whose powers adding a new `post` on `electedOn` would end, if any. */
export function holderReplacedBy(officers: OfficerRow[], post: OfficerPost): OfficerRow | undefined {
  return SINGLE_HOLDER_POSTS.includes(post) ? officers.find((o) => o.post === post && !o.endedOn) : undefined;
}

/** «Полномочия будут прекращены с 01.03.2026: Председатель Волкова Е. С.» — what the chair sees before and after. */
export function endedPowersText(officer: OfficerRow, endedOn: string, done = false): string {
  return `Полномочия ${done ? 'прекращены' : 'будут прекращены'} с ${formatDate(endedOn)}: ${OFFICER_POST_LABELS[officer.post]} ${surnameWithInitials(officer)}`;
}

export function replaceHolderConfirmation(org: OrgRow, holder: OfficerRow, electedOn: string): Confirmation {
  return {
    title: `Новый: ${OFFICER_POST_LABELS[holder.post].toLowerCase()}`,
    consequence: `${endedPowersText(holder, electedOn)}.`,
    details: [
      `У организации может быть только один ${OFFICER_POST_LABELS[holder.post].toLowerCase()}: новое выборное лицо заменит нынешнее.`,
    ],
    affected: { count: 1, noun: 'Прекращаются полномочия выборных лиц' },
    confirmLabel: 'Сохранить и прекратить полномочия',
    cancelHref: `/orgs/${org.inpo}/officers`,
  };
}

export function endOfficerConfirmation(org: OrgRow, officer: OfficerRow, endedOn: string): Confirmation {
  return {
    title: 'Подтвердите прекращение полномочий',
    consequence: `${endedPowersText(officer, endedOn)}.`,
    affected: { count: 1, noun: 'Прекращаются полномочия выборных лиц' },
    confirmLabel: 'Прекратить полномочия',
    cancelHref: `/orgs/${org.inpo}/officers`,
  };
}
