import type { Knex } from 'knex';
import { EMPLOYER_KIND_LABELS, type EmployerKind } from '../../registry/levels';
import { AGREEMENT_STATUS_LABELS } from '../../registry/passport.schemas';
import { formatDate } from '../../shared/format';
import { agreementsOnCte, latestHeadcount, ppoSizesCtes } from './groups';
import { agreementActiveOn, existsOn, sqlDate } from './sql-fragments';
import { rootsOn, under, type RootOnDate } from './tree-on-date';

// Text lines and list rows of the collective-bargaining forms, read from the agreement tab of the
// passports as it stood on the report date (collective_agreement_history). An agreement is "active on
// the date" when the date falls within its term.

export async function agreementTexts(db: Knex, organizationId: number, date: string): Promise<Record<string, string>> {
  const ca = await db('collective_agreement_history')
    .where({ organization_id: organizationId })
    .where('as_of', '<=', date)
    .orderBy('as_of', 'desc')
    .first();
  // an annex without a date may be of any time; a dated one exists from its signing
  const annexes: { title: string }[] = await db('agreement_annexes')
    .where({ organization_id: organizationId })
    .where((q) => q.whereNull('signed_on').orWhere('signed_on', '<=', date))
    .orderBy('id')
    .select('title');
  if (!ca)
    return {
      agreement_term: 'нет сведений',
      agreement_registration: 'нет сведений',
      agreement_annex_titles: 'нет',
      agreement_none_reason: 'сведения о коллективном договоре не внесены в паспорт',
    };
  const term = ca.signed_on
    ? `подписан ${formatDate(ca.signed_on)}, действует с ${formatDate(ca.valid_from)} по ${formatDate(ca.valid_to)}`
    : AGREEMENT_STATUS_LABELS[ca.status as keyof typeof AGREEMENT_STATUS_LABELS];
  const registration = ca.registration_number
    ? `№ ${ca.registration_number}${ca.registration_date ? ` от ${formatDate(ca.registration_date)}` : ''}`
    : 'не зарегистрирован';
  const active = ['active', 'expired'].includes(ca.status) && ca.valid_from <= date && ca.valid_to >= date;
  return {
    agreement_term: term,
    agreement_registration: registration,
    agreement_annex_titles: annexes.length ? annexes.map((a) => a.title).join('; ') : 'нет',
    // the recorded reason whenever no agreement is in force on the date; «—» when none was recorded
    agreement_none_reason: !active && ca.none_reason ? ca.none_reason : '—',
  };
}

export interface AgreementRow {
  inpo: string;
  name: string;
  employerKind: string;
  hasAgreement: boolean;
  signedOn: string | null;
  validFrom: string | null;
  validTo: string | null;
  staffCovered: number | null;
  membersCovered: number | null;
  status: string;
}

/** КДКО: one row per primary organization of the subtree that exists on the date. */
export async function primaryAgreementRows(db: Knex, root: RootOnDate): Promise<AgreementRow[]> {
  const d = sqlDate(root.date);
  const { frame } = root;
  const { rows } = await db.raw(
    `${rootsOn(frame, d)}, ${ppoSizesCtes({ d, scope: 'subtree', frame })}, ${agreementsOnCte({ d, scope: 'subtree' })}
     SELECT o.inpo, o.name, o.employer_kind, ca.status, ca.signed_on, ca.valid_from, ca.valid_to, h.employees_total,
            ${agreementActiveOn('ca', d)} AS active,
            coalesce(ps.working, 0) AS working_members
       FROM roots r ${under(frame, 'o', d)} AND o.level = 'primary' AND ${existsOn('o', d)}
       LEFT JOIN ppo_sizes ps ON ps.ppo_id = o.id
       LEFT JOIN agreements_on ca ON ca.organization_id = o.id
       ${latestHeadcount('o', d)}
      ORDER BY o.name, o.id`,
    [[root.id]],
  );
  return rows.map((r: Record<string, unknown>) => ({
    inpo: String(r.inpo),
    name: String(r.name),
    employerKind: r.employer_kind ? EMPLOYER_KIND_LABELS[r.employer_kind as EmployerKind] : '',
    hasAgreement: Boolean(r.active),
    signedOn: (r.signed_on as string | null) ?? null,
    validFrom: (r.valid_from as string | null) ?? null,
    validTo: (r.valid_to as string | null) ?? null,
    staffCovered: r.active && r.employees_total != null ? Number(r.employees_total) : r.active ? null : 0,
    membersCovered: r.active ? Number(r.working_members) : 0,
    status: r.status ? AGREEMENT_STATUS_LABELS[r.status as keyof typeof AGREEMENT_STATUS_LABELS] : 'нет сведений',
  }));
}
