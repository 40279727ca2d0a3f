import { MATCH_ELSEWHERE_MESSAGE } from './duplicate-guard';
import type { DuplicateFoundError } from './members.service';
import { CATEGORIES, CATEGORY_LABELS, LEFT_REASONS, LEFT_REASON_LABELS } from '../membership/membership';
import { PROFESSIONAL_GROUPS } from './professional-groups';

/** The membership dictionaries every member page renders its choices and labels from. */
export const MEMBER_DICTIONARIES = {
  CATEGORIES,
  CATEGORY_LABELS,
  LEFT_REASONS,
  LEFT_REASON_LABELS,
  PROFESSIONAL_GROUPS,
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
