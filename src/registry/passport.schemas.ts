import { z } from 'zod';
import { EMPLOYER_KINDS, PRIMARY_FORMS } from './levels';
import { OFFICER_POSTS } from './officer-posts';
import {
  checkbox,
  idInput,
  optionalPersonName,
  optionalSnils,
  optionalChoice,
  optionalDate,
  optionalEmail,
  optionalInn,
  optionalPhone,
  optionalText,
  optionalUrl,
  optionalBirthDate,
  requiredDate,
  requiredString,
  wholeNumber,
} from '../shared/fields';

export const generalSchema = z.object({
  name: requiredString('Укажите полное наименование', 500),
  shortName: optionalText(200),
  employerKind: optionalChoice(EMPLOYER_KINDS, 'Выберите тип из списка'),
  /** only a ППО files a primary form: other levels send none and keep theirs */
  primaryForm: optionalChoice(PRIMARY_FORMS, 'Выберите форму из списка').optional(),
  /** the form always sends it; the organizations import has no such column and keeps what is stored */
  employerName: optionalText(500).optional(),
  employerInn: optionalInn(),
  address: optionalText(500),
  phone: optionalPhone(),
  email: optionalEmail(),
  website: optionalUrl(),
  /** a ППО's form sends it (a select, never missing); others and the import keep what is stored */
  onlineAdmission: z
    .enum(['allowed', 'closed'], { error: 'Выберите, принимает ли организация заявления онлайн' })
    .transform((v) => v === 'allowed')
    .optional(),
});
export type GeneralInput = z.output<typeof generalSchema>;

/** A person's birth date as an officer may have it: 14 to 100 years old on the day of entry. */
const officerBirthDate = optionalBirthDate();

/**
 * An elected officer is a person: a member card picked in the search (`memberId`), or someone outside the
 * registry entered by SNILS with the sex and birth date the forms count.
 */
const PERSON_FIELDS = {
  personKind: z.enum(['member', 'nonmember'], { error: 'Выберите: член Профсоюза или человек вне реестра' }),
  memberId: z.preprocess(
    (v) => (v === '' || v === undefined ? null : v),
    idInput('Выберите карточку из найденных').nullable(),
  ),
  snils: optionalSnils(),
  surname: optionalPersonName('Укажите фамилию'),
  name: optionalPersonName('Укажите имя'),
  patronymic: optionalPersonName('Укажите отчество'),
  sex: optionalChoice(['m', 'f'] as const, 'Укажите пол'),
  birthDate: officerBirthDate,
};
type PersonFields = { [K in keyof typeof PERSON_FIELDS]: z.output<(typeof PERSON_FIELDS)[K]> };

/** What the chosen kind of person needs; run also when other fields failed, so every missing field is named at once. */
const requirePerson = [
  (v: PersonFields, ctx: z.RefinementCtx) => {
    if (typeof v !== 'object' || !v) return;
    const need = (path: keyof PersonFields, message: string) => {
      if (v[path] == null) ctx.addIssue({ code: 'custom', path: [path], message });
    };
    if (v.personKind === 'member')
      need('memberId', 'Найдите члена Профсоюза по ФИО или ИНПО организации и выберите его карточку');
    if (v.personKind === 'nonmember') {
      need('snils', 'Укажите СНИЛС');
      need('surname', 'Укажите фамилию');
      need('name', 'Укажите имя');
      need('sex', 'Укажите пол');
      need('birthDate', 'Укажите дату рождения');
    }
  },
  { when: () => true },
] as const;

export const officerPersonSchema = z.object(PERSON_FIELDS).superRefine(...requirePerson);
export type OfficerPersonInput = z.output<typeof officerPersonSchema>;

export const officerSchema = z
  .object({
    post: z.enum(OFFICER_POSTS, { error: 'Выберите должность из списка' }),
    ...PERSON_FIELDS,
    electedOn: requiredDate('Укажите дату избрания'),
    salaried: checkbox(),
    protocolNumber: optionalText(50),
    protocolDate: optionalDate(),
    trainedOn: optionalDate(),
  })
  // no term is typed: its end follows from the election date and the level's rule (campaigns/term-rules)
  .superRefine(...requirePerson);
export type OfficerInput = z.output<typeof officerSchema>;

export const endOfficerSchema = z.object({ endedOn: requiredDate('Укажите дату окончания полномочий') });

export const headcountSchema = z
  .object({
    asOf: requiredDate('Укажите дату, на которую дана численность'),
    employeesTotal: wholeNumber('Укажите число работников'),
    employeesPedagogical: wholeNumber('Укажите число педагогических работников'),
    studentsTotal: z.preprocess(
      (v) => (v === '' || v === undefined ? '0' : v),
      wholeNumber('Укажите число обучающихся'),
    ),
    /** for territorial organizations: the educational organizations in the territory (structural coverage) */
    institutionsTotal: z
      .preprocess(
        (v) => (v === '' ? undefined : v),
        wholeNumber('Укажите число образовательных организаций').optional(),
      )
      .transform((v) => v ?? null),
  })
  .refine((v) => v.employeesPedagogical <= v.employeesTotal, {
    path: ['employeesPedagogical'],
    message: 'Педагогов не может быть больше, чем всех работников',
  });
export type HeadcountInput = z.output<typeof headcountSchema>;

export const AGREEMENT_STATUSES = ['active', 'expired', 'negotiating', 'none'] as const;
export const AGREEMENT_STATUS_LABELS: Record<(typeof AGREEMENT_STATUSES)[number], string> = {
  active: 'Действует',
  expired: 'Срок действия истёк',
  negotiating: 'Ведутся переговоры',
  none: 'Отсутствует',
};

export const agreementSchema = z
  .object({
    /** the date the information is given on (the version of the tab reports read from that date on); today when left empty */
    asOf: optionalDate(),
    status: z.enum(AGREEMENT_STATUSES, { error: 'Выберите состояние коллективного договора' }),
    noneReason: optionalText(500),
    signedOn: optionalDate(),
    validFrom: optionalDate(),
    validTo: optionalDate(),
    registrationNumber: optionalText(100),
    registrationDate: optionalDate(),
  })
  // runs also when other fields failed, so that every missing field is named at once
  .superRefine((v, ctx) => {
    if (typeof v !== 'object' || !v) return;
    const need = (field: 'signedOn' | 'validFrom' | 'validTo', message: string) => {
      if (!v[field]) ctx.addIssue({ code: 'custom', path: [field], message });
    };
    if (v.status === 'active' || v.status === 'expired') {
      need('signedOn', 'Укажите дату заключения');
      need('validFrom', 'Укажите начало срока действия');
      need('validTo', 'Укажите окончание срока действия');
    }
    if (v.status === 'none' && !v.noneReason)
      ctx.addIssue({ code: 'custom', path: ['noneReason'], message: 'Укажите причину отсутствия договора' });
    if (v.validFrom && v.validTo && v.validTo < v.validFrom)
      ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'Окончание не может быть раньше начала' });
  });
export type AgreementInput = z.output<typeof agreementSchema>;

export const annexSchema = z.object({
  title: requiredString('Укажите название приложения', 500),
  signedOn: optionalDate(),
});
