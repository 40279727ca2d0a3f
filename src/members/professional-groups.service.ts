import type { Knex } from 'knex';
import { PROFESSIONAL_GROUPS } from './professional-groups';
import { unmatchedValues } from './professional-groups.repo';

/** The most values one page lists, and the cards it links for each. */
const VALUES_SHOWN = 500;
const CARDS_EACH = 20;

export function createProfessionalGroupsService(db: Knex) {
  return {
    /** The list and the typed values still waiting for a group from it, most frequent first. */
    async review() {
      return {
        groups: PROFESSIONAL_GROUPS,
        unmatched: await unmatchedValues(db, VALUES_SHOWN, CARDS_EACH),
        VALUES_SHOWN,
      };
    },
  };
}

export type ProfessionalGroupsService = ReturnType<typeof createProfessionalGroupsService>;
