import { staleEdit, versionFields, type FieldSpec, type Seen } from '../http/versioned-forms';
import { formatDate, formatNumber } from '../shared/format';
import { EMPLOYER_KIND_LABELS, PRIMARY_FORM_LABELS, type EmployerKind, type PrimaryForm } from './levels';
import type { OrgRow } from './orgs.repo';
import type { AgreementRow, HeadcountRow } from './passport.repo';
import { AGREEMENT_STATUS_LABELS } from './passport.schemas';

// The passport's edit forms carry the version of the row they edit (general data, collective agreement)
// or, for the headcount entered per date, the versions of the figures the page listed: a figure for a
// date the user could not see is another user's, and is not replaced silently.

const pick = (values: object, spec: FieldSpec) =>
  Object.fromEntries(Object.keys(spec.labels).map((key) => [key, (values as Record<string, unknown>)[key] ?? null]));

export const GENERAL_FIELDS: FieldSpec = {
  labels: {
    name: 'Полное наименование',
    shortName: 'Краткое наименование',
    employerKind: 'Тип работодателя',
    primaryForm: 'Статистическая форма',
    employerName: 'Наименование работодателя',
    employerInn: 'ИНН работодателя',
    address: 'Адрес',
    phone: 'Телефон',
    email: 'Электронная почта',
    website: 'Сайт',
    onlineAdmission: 'Приём заявлений онлайн',
  },
  show: {
    onlineAdmission: (v) => (v ? 'принимает' : 'не принимает'),
    employerKind: (v) => EMPLOYER_KIND_LABELS[v as EmployerKind] ?? String(v),
    primaryForm: (v) => PRIMARY_FORM_LABELS[v as PrimaryForm] ?? String(v),
  },
};
export const generalSnapshot = (org: OrgRow) => pick(org, GENERAL_FIELDS);
export const generalVersionFields = (org: OrgRow) => versionFields(org.version, generalSnapshot(org));

export const AGREEMENT_FIELDS: FieldSpec = {
  labels: {
    status: 'Состояние',
    noneReason: 'Причина отсутствия договора',
    signedOn: 'Дата заключения',
    validFrom: 'Действует с',
    validTo: 'Действует по',
    registrationNumber: 'Регистрационный номер',
    registrationDate: 'Дата регистрации',
  },
  show: { status: (v) => AGREEMENT_STATUS_LABELS[v as keyof typeof AGREEMENT_STATUS_LABELS] ?? String(v) },
};
/** A passport without an agreement shows none of its fields (the form's default status is not the saved one). */
export const agreementSnapshot = (agreement: AgreementRow | undefined) => pick(agreement ?? {}, AGREEMENT_FIELDS);
export const agreementVersionFields = (agreement: AgreementRow | undefined) =>
  versionFields(agreement?.version ?? null, agreementSnapshot(agreement));

export const HEADCOUNT_FIELDS: FieldSpec = {
  labels: {
    employeesTotal: 'Работников всего',
    employeesPedagogical: 'из них педагогических',
    studentsTotal: 'Обучающихся',
    institutionsTotal: 'Образовательных организаций',
  },
  show: {
    employeesTotal: formatNumber,
    employeesPedagogical: formatNumber,
    studentsTotal: formatNumber,
    institutionsTotal: formatNumber,
  } as FieldSpec['show'],
};
/** The headcount form's snapshot: the version of each figure the page listed, by date. */
export const headcountVersionFields = (rows: Pick<HeadcountRow, 'asOf' | 'version'>[]) =>
  versionFields(null, Object.fromEntries(rows.map((r) => [r.asOf, r.version])));

/** The figure for a date the form did not list as it is now: another user entered or changed it meanwhile. */
export function staleHeadcount(seen: Seen, existing: HeadcountRow) {
  const hidden = versionFields(null, { ...seen.base, [existing.asOf]: existing.version });
  return staleEdit(
    HEADCOUNT_FIELDS,
    { version: null, base: {} },
    pick(existing, HEADCOUNT_FIELDS),
    hidden,
    `численность на ${formatDate(existing.asOf)}`,
  );
}
