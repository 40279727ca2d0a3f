import type { Knex } from 'knex';
import { can } from '../access/access';
import type { Principal } from '../access/principal';
import { diffValues, recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { staleEdit, type Seen } from '../http/versioned-forms';
import { eventDates, sinceCreation, type EventDates } from '../shared/event-dates';
import { todayIso } from '../shared/dates';
import { missingFields } from './completeness';
import { findOrgById, lockOrg, type OrgRow } from './orgs.repo';
import type {
  AgreementInput,
  GeneralInput,
  HeadcountInput,
  OfficerInput,
  OfficerPersonInput,
} from './passport.schemas';
import {
  endOfficerTerm,
  findAgreement,
  headerFiguresOf,
  type HeaderFigures,
  findOfficer,
  insertAnnex,
  insertOfficer,
  listAgreementVersions,
  listAnnexes,
  listHeadcounts,
  listOfficers,
  lockCurrentHolder,
  lockCurrentOfficers,
  lockHeadcount,
  recordRename,
  saveAgreementAsOf,
  saveHeadcountRow,
  setOfficerPersonRow,
  updateGeneralData,
} from './passport.repo';
import {
  AGREEMENT_FIELDS,
  GENERAL_FIELDS,
  agreementSnapshot,
  agreementVersionFields,
  generalSnapshot,
  generalVersionFields,
  staleHeadcount,
} from './passport-versions';
import { resolveOfficerPerson, searchCards } from './officer-persons';
import { listOrgAudit } from './history.repo';
import { namerFor } from '../audit/audit-viewer.values';
import { actionLabel, describeChanges } from '../audit/labels';
import {
  listChildren,
  listLiquidatedChildren,
  searchSubtree,
  type ChildSort,
  type SubtreeSearch,
} from './structure.repo';

/** What a passport's header counts (the loader organizationWithFigures reads it with the organization). */
export type { HeaderFigures };

/**
 * A new officer, who is a person (a card the user may see, or a non-member by SNILS: officer-persons.ts), on
 * the caller's transaction; a new chair (or group organizer) ends the current one's term on the election date.
 * The report-and-election campaigns record their results through it (campaigns.service.ts). Returns the new row's id.
 */
export async function electOfficer(
  trx: Knex.Transaction,
  ctx: AuditContext,
  principal: Principal,
  org: OrgRow,
  input: OfficerInput,
): Promise<number> {
  // two simultaneous elections both end the same predecessor; the second then meets the first's new
  // holder at the one-current-holder index and is told so (db/pg-errors)
  if (input.post === 'chair' || input.post === 'group_organizer') {
    const current = await lockCurrentHolder(trx, org.id, input.post);
    if (current) {
      if (current.electedOn > input.electedOn) {
        throw new ValidationError([{ field: 'electedOn', message: 'Нынешний председатель избран позже этой даты' }]);
      }
      await endTermAudited(trx, ctx, org, current.id, input.electedOn, 'избран новый');
    }
  }
  const person = await resolveOfficerPerson(trx, ctx, principal, input);
  const officerId = await insertOfficer(trx, org.id, person, input);
  const { personKind: _kind, sex: _sex, birthDate: _birth, snils: _snils, ...post } = input;
  await recordAudit(trx, ctx, {
    action: 'org.officer.added',
    entity: 'org_officer',
    entityId: officerId,
    organizationId: org.id,
    newValues: { ...post, ...person },
  });
  return officerId;
}

/** An officer's term ended on a date (with the reason, when an election ended it), audited, on the caller's transaction. */
async function endTermAudited(
  trx: Knex.Transaction,
  ctx: AuditContext,
  org: OrgRow,
  officerId: number,
  endedOn: string,
  reason?: string,
) {
  await endOfficerTerm(trx, officerId, endedOn);
  await recordAudit(trx, ctx, {
    action: 'org.officer.ended',
    entity: 'org_officer',
    entityId: officerId,
    organizationId: org.id,
    oldValues: { endedOn: null },
    newValues: reason ? { endedOn, reason } : { endedOn },
  });
}

/**
 * A body elected anew (the committee at a report-and-election meeting): its present members elected by the date
 * end their terms on it, audited, on the caller's transaction.
 */
export async function endCurrentOfficers(
  trx: Knex.Transaction,
  ctx: AuditContext,
  org: OrgRow,
  post: OfficerInput['post'],
  endedOn: string,
): Promise<void> {
  for (const officer of await lockCurrentOfficers(trx, org.id, post)) {
    if (officer.electedOn > endedOn) continue;
    await endTermAudited(trx, ctx, org, officer.id, endedOn, 'избран новый состав');
  }
}

/**
 * The passport's edits: with `seen` (what the form was rendered from) a save from a form whose row has
 * changed since answers 409 instead of undoing the other change; every event date is checked against
 * the organization's creation and the near future.
 */
export function createPassportService(db: Knex, dates: EventDates = eventDates()) {
  return {
    /** What every tab shows above its content; `ancestors` (root first) were read with the organization. */
    /** The header of a passport tab; its figures read here unless the page's loader read them (`figures`). */
    async header(principal: Principal, org: OrgRow, ancestors: OrgRow[], figures?: HeaderFigures) {
      const { gaps, activeMembers, incompleteBelow } = figures ?? (await headerFiguresOf(db, org));
      return {
        org,
        breadcrumbs: ancestors.filter((a) => can(principal, 'org.view', a)),
        missing: missingFields(gaps, org.level),
        chairTermExpired: gaps?.chairTermExpired ?? false,
        activeMembers,
        incompleteBelow,
        mayEdit: can(principal, 'org.passport.edit', org) && !org.liquidatedOn,
        mayRestructure: can(principal, 'org.restructure', org) && !org.liquidatedOn,
        mayReport: can(principal, 'report.view', org) && org.level !== 'subdivision' && org.level !== 'group',
        mayExport: can(principal, 'org.export', org),
        mayMail: can(principal, 'mailing.send', org) && !org.liquidatedOn,
        mayViewCampaigns: can(principal, 'campaign.view', org),
        mergedInto: org.mergedIntoId ? await findOrgById(db, org.mergedIntoId) : undefined,
      };
    },

    officers: (org: OrgRow) => listOfficers(db, org.id),
    /** The organization's journal: its audit trail, newest first, its changes in Russian. */
    async journal(principal: Principal, org: OrgRow) {
      const entries = await listOrgAudit(db, org.id);
      const nameValue = await namerFor(db, principal, entries);
      return entries.map((e) => ({
        ...e,
        actionLabel: actionLabel(e.action),
        changes: describeChanges(e.oldValues, e.newValues, nameValue),
      }));
    },
    /** A page of the organization's children, in the chosen order. */
    children: (org: OrgRow, sort: ChildSort, page: number, pageSize: number) =>
      listChildren(db, org, sort, page, pageSize),
    /** The children liquidated or merged, listed apart from the open ones. */
    liquidatedChildren: (org: OrgRow) => listLiquidatedChildren(db, org.id),
    /** Organizations of the subtree by name, ИНПО or a gap of their passports, a page after `after`. */
    search: (org: OrgRow, criteria: SubtreeSearch, pageSize: number) => searchSubtree(db, org.path, criteria, pageSize),
    /** Member cards this user may name as an officer's person. */
    officerCandidates: (principal: Principal, q: string) => searchCards(db, principal, q),
    headcounts: (org: OrgRow) => listHeadcounts(db, org.id),
    async agreement(org: OrgRow) {
      return {
        agreement: await findAgreement(db, org.id),
        annexes: await listAnnexes(db, org.id),
        versions: await listAgreementVersions(db, org.id),
      };
    },

    async updateGeneral(ctx: AuditContext, org: OrgRow, input: GeneralInput, today: string, seen?: Seen) {
      return inTransaction(db, async (trx) => {
        const current = (await lockOrg(trx, org.id))!;
        if (seen && current.version !== seen.version)
          throw staleEdit(
            GENERAL_FIELDS,
            seen,
            generalSnapshot(current),
            generalVersionFields(current),
            'общие сведения',
          );
        // only a ППО files a primary form; a form sent without it keeps the one it has
        const values = {
          ...input,
          primaryForm: (current.level === 'primary' && input.primaryForm) || current.primaryForm,
          employerName: input.employerName === undefined ? current.employerName : input.employerName,
          onlineAdmission:
            current.level === 'primary' && input.onlineAdmission !== undefined
              ? input.onlineAdmission
              : current.onlineAdmission,
        };
        const { oldValues, newValues, changed } = diffValues(generalSnapshot(current), values);
        if (!changed) return false;
        await updateGeneralData(trx, org.id, current.version, values);
        if ('name' in newValues)
          await recordRename(trx, {
            orgId: org.id,
            on: today,
            oldName: current.name,
            newName: input.name,
            actorUserId: ctx.actorUserId,
          });
        await recordAudit(trx, ctx, {
          action: 'org.passport.updated',
          entity: 'organization',
          entityId: org.id,
          organizationId: org.id,
          oldValues,
          newValues,
        });
        return true;
      });
    },

    /**
     * A new officer, who is a person (a card the user may see, or a non-member by SNILS: officer-persons.ts);
     * a new chair (or group organizer) ends the current one's term on the day before the election.
     */
    async addOfficer(ctx: AuditContext, principal: Principal, org: OrgRow, input: OfficerInput) {
      dates.check('electedOn', input.electedOn, [sinceCreation(org.createdOn)]);
      await inTransaction(db, (trx) => electOfficer(trx, ctx, principal, org, input));
    },

    /**
     * Names the person of an officer recorded before officers were people (a typed name): the data gap of
     * the reports is closed at its source. An officer who already is a person keeps them.
     */
    async setOfficerPerson(
      ctx: AuditContext,
      principal: Principal,
      org: OrgRow,
      officerId: number,
      input: OfficerPersonInput,
    ) {
      await inTransaction(db, async (trx) => {
        const officer = await findOfficer(trx, org.id, officerId, true);
        if (!officer) throw new NotFoundError();
        if (officer.memberId || officer.personId) throw new ConflictError('Человек этого выборного лица уже указан');
        const person = await resolveOfficerPerson(trx, ctx, principal, input);
        await setOfficerPersonRow(trx, officerId, person);
        await recordAudit(trx, ctx, {
          action: 'org.officer.person_set',
          entity: 'org_officer',
          entityId: officerId,
          organizationId: org.id,
          oldValues: {
            surname: officer.surname,
            name: officer.name,
            patronymic: officer.patronymic,
            memberId: null,
            personId: null,
          },
          newValues: { ...person },
        });
      });
    },

    async endOfficer(ctx: AuditContext, org: OrgRow, officerId: number, endedOn: string) {
      await inTransaction(db, async (trx) => {
        const officer = await findOfficer(trx, org.id, officerId, true);
        if (!officer) throw new NotFoundError();
        if (officer.endedOn) throw new ConflictError('Полномочия уже прекращены');
        dates.check('endedOn', endedOn, [{ on: officer.electedOn, what: 'избрания' }]);
        await endTermAudited(trx, ctx, org, officerId, endedOn);
      });
    },

    /**
     * One figure per date: a second entry for the same date corrects the first — when the form listed it
     * (`seen`); a figure the user could not see is another user's and is not replaced silently.
     */
    async saveHeadcount(ctx: AuditContext, org: OrgRow, input: HeadcountInput, seen?: Seen) {
      dates.check('asOf', input.asOf, [sinceCreation(org.createdOn)]);
      await inTransaction(db, async (trx) => {
        const existing = await lockHeadcount(trx, org.id, input.asOf);
        if (existing && seen && seen.base?.[input.asOf] !== existing.version) throw staleHeadcount(seen, existing);
        await saveHeadcountRow(trx, org.id, existing, input);
        const { id: _id, version: _version, ...oldValues } = existing ?? {};
        await recordAudit(trx, ctx, {
          action: 'org.headcount.saved',
          entity: 'organization',
          entityId: org.id,
          organizationId: org.id,
          oldValues: existing ? oldValues : null,
          newValues: { ...input },
        });
      });
    },

    /**
     * The agreement as of a date (today unless given): the dated version reports read from that date on,
     * and the current record of the tab — the latest version — changed from a form of its present version.
     */
    async saveAgreement(ctx: AuditContext, org: OrgRow, input: AgreementInput, seen?: Seen) {
      const asOf = input.asOf ?? todayIso();
      dates.check('asOf', asOf, [sinceCreation(org.createdOn)]);
      await inTransaction(db, async (trx) => {
        const before = await findAgreement(trx, org.id, true);
        if (seen && (before?.version ?? null) !== seen.version) {
          throw staleEdit(
            AGREEMENT_FIELDS,
            seen,
            agreementSnapshot(before),
            agreementVersionFields(before),
            'сведения о коллективном договоре',
          );
        }
        // the reason is kept whenever there may be no agreement in force (none, negotiating, expired)
        const fields = {
          status: input.status,
          none_reason: input.status === 'active' ? null : input.noneReason,
          signed_on: input.signedOn,
          valid_from: input.validFrom,
          valid_to: input.validTo,
          registration_number: input.registrationNumber,
          registration_date: input.registrationDate,
        };
        // a simultaneous first save meets this one at the primary key (db/pg-errors: 409)
        await saveAgreementAsOf(trx, org.id, asOf, fields, before);
        const { oldValues, newValues } = diffValues(agreementSnapshot(before), {
          ...input,
          asOf,
          noneReason: fields.none_reason,
        });
        await recordAudit(trx, ctx, {
          action: 'org.agreement.saved',
          entity: 'organization',
          entityId: org.id,
          organizationId: org.id,
          oldValues,
          newValues,
        });
      });
    },

    async addAnnex(ctx: AuditContext, org: OrgRow, input: { title: string; signedOn: string | null }) {
      await inTransaction(db, async (trx) => {
        if (!(await findAgreement(trx, org.id)))
          throw new ConflictError('Сначала заполните сведения о коллективном договоре');
        const annexId = await insertAnnex(trx, org.id, input);
        await recordAudit(trx, ctx, {
          action: 'org.agreement.annex_added',
          entity: 'agreement_annex',
          entityId: annexId,
          organizationId: org.id,
          newValues: input,
        });
      });
    },
  };
}

export type PassportService = ReturnType<typeof createPassportService>;
