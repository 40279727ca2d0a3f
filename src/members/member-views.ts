import { MATCH_ELSEWHERE_MESSAGE } from './duplicate-guard';
import type { DuplicateFoundError } from './members.service';
import { CATEGORIES, CATEGORY_LABELS, LEFT_REASONS, LEFT_REASON_LABELS } from '../membership/membership';
import { PROFESSIONAL_GROUPS } from './professional-groups';
import { CARD_STATUSES, CARD_STATUS_LABELS } from '../cards/card-statuses';
import { EMPLOYER_KINDS, EMPLOYER_KIND_LABELS } from '../registry/levels';
import { AGE_BANDS, TENURE_BANDS } from './member-list-query';

/** The membership dictionaries every member page renders its choices and labels from. */
export const MEMBER_DICTIONARIES = {
  CATEGORIES,
  CATEGORY_LABELS,
  LEFT_REASONS,
  LEFT_REASON_LABELS,
  PROFESSIONAL_GROUPS,
};

/** The choices of the member list's filters (the list page and the mailings' compose form). */
export const MEMBER_FILTER_CHOICES = {
  AGE_BANDS,
  TENURE_BANDS,
  CARD_STATUSES,
  CARD_STATUS_LABELS,
  EMPLOYER_KINDS,
  EMPLOYER_KIND_LABELS,
};

/** The duplicate warning of the admission and card forms: the cards the user may open, and whether one elsewhere matched. */
export function duplicatesViewModel(found?: DuplicateFoundError) {
  return {
    duplicates: found?.candidates ?? [],
    duplicateElsewhere: found?.elsewhere ?? false,
    duplicateFound: !!found,
    MATCH_ELSEWHERE_MESSAGE,
  };
}
