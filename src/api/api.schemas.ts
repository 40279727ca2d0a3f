/**
 * The API's requests and answers as zod schemas: each request is validated with them and the OpenAPI
 * document is generated from them (api-registry.ts), so the two cannot drift. Answers are parsed through
 * their schema too: a field not declared here never leaves the server.
 */
import { z } from 'zod';
import '../http/forms'; // Russian messages of zod's own checks
import { CARD_STATUSES } from '../cards/card-statuses';
import { CATEGORIES } from '../membership/membership';
import { AGE_BANDS, TENURE_BANDS } from '../members/member-list-query';
import { MEMBER_SORT_KEYS } from '../members/members.schemas';
import { EMPLOYER_KINDS, LEVELS } from '../registry/levels';
import { FORM_CODE_PATTERN } from '../reports/forms/form-schema';
import { JOIN_CONSENT_VERSION } from '../join/consent-text';
import { applicationSchema } from '../join/join.schemas';
import { inpoInput, parseDateInput } from '../shared/fields';
import { INPO_PATTERN } from '../shared/inpo';

const isoDate = (description: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Дата в виде ГГГГ-ММ-ДД')
    .refine((v) => parseDateInput(v) !== null, 'Такой даты нет')
    .meta({ description, format: 'date' });
const date = (description: string) => z.string().meta({ description, format: 'date' });
const instant = (description: string) => z.string().meta({ description, format: 'date-time' });

// ── requests ─────────────────────────────────────────────────────────────────────────────────────────
export const inpoParams = z.object({
  inpo: z.string().regex(INPO_PATTERN, 'ИНПО — 10 цифр').meta({ description: 'ИНПО организации (10 цифр)' }),
});
export const memberParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,18}$/, 'Номер карточки — целое число')
    .meta({ description: 'Номер карточки члена Профсоюза' }),
});
export const reportParams = inpoParams.extend({
  form: z
    .string()
    .regex(FORM_CODE_PATTERN, 'Код формы, например 5-SP')
    .meta({ description: 'Код формы: 5-SP, 4-SP, 3-SP, 2-SP, 1-SP, KDK-1, …' }),
});
export const reportQuery = z.object({ on: isoDate('Дата отчёта') });
export const childrenQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1).meta({ description: 'Страница (по 100 организаций)' }),
});

/** The member list's filters, as the list page `/orgs/{ИНПО}/members` takes them (member-list-query.ts), but strict. */
export const memberListQuery = z.object({
  q: z.string().trim().max(100).optional().meta({ description: 'Поиск по ФИО' }),
  category: z.enum(CATEGORIES).optional().meta({ description: 'Категория' }),
  sex: z.enum(['m', 'f']).optional(),
  status: z.enum(['active', 'left', 'all']).default('active').meta({ description: 'На учёте, выбывшие или все' }),
  pedagogical: z.enum(['yes', 'no']).optional().meta({ description: 'Педагогический работник' }),
  consent: z.enum(['mailing', 'no_mailing', 'no_processing']).optional().meta({ description: 'Согласия' }),
  sort: z.enum(MEMBER_SORT_KEYS).default('name').meta({ description: 'Порядок: ФИО, дата рождения, дата вступления' }),
  on: isoDate('Состав на дату').optional(),
  age: z.enum(Object.keys(AGE_BANDS) as [string, ...string[]]).optional(),
  tenure: z.enum(Object.keys(TENURE_BANDS) as [string, ...string[]]).optional(),
  card: z
    .enum(['none', ...CARD_STATUSES])
    .optional()
    .meta({ description: 'Состояние электронного профбилета' }),
  kind: z.enum(EMPLOYER_KINDS).optional().meta({ description: 'Вид работодателя' }),
  limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Строк на странице' }),
  after: z.string().max(1000).optional().meta({ description: 'Курсор следующей страницы: `next` предыдущего ответа' }),
});

export const sessionBody = z
  .object({
    username: z.string({ error: 'Введите имя пользователя' }).trim().min(1, 'Введите имя пользователя').max(100),
    password: z.string({ error: 'Введите пароль' }).min(1, 'Введите пароль').max(1000),
  })
  .meta({ id: 'SessionRequest' });

/** A yes/no of a JSON body: true or false (a form-encoded client's 'true'/'false' too); anything else is refused. */
const flag = (message: string) =>
  z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: message }));
const NO_CONSENT = 'Без согласия на обработку персональных данных заявление не принять';

/**
 * The application of the app's «Вступить в Профсоюз»: the fields and rules of the /join form (join.schemas.ts),
 * the ППО by its ИНПО, and the consents as JSON booleans.
 */
export const applicationBody = applicationSchema
  .extend({
    organizationInpo: inpoInput('Укажите ИНПО первичной профсоюзной организации: 10 цифр').meta({
      description: 'ИНПО первичной профсоюзной организации, которая принимает заявления онлайн',
    }),
    consentProcessing: flag(NO_CONSENT)
      .refine((v) => v, NO_CONSENT)
      .meta({
        description: `Согласие на обработку персональных данных (текст версии ${JOIN_CONSENT_VERSION}, как на странице /join): только true`,
      }),
    consentMailing: flag('Согласие на рассылки: true или false')
      .default(false)
      .meta({ description: 'Согласие на рассылки Профсоюза по электронной почте' }),
  })
  .meta({
    id: 'ApplicationRequest',
    description: 'Заявление о вступлении: поля и правила формы /join. Дата рождения — ГГГГ-ММ-ДД или ДД.ММ.ГГГГ.',
  });

// ── answers ──────────────────────────────────────────────────────────────────────────────────────────
export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'Вид ошибки (URI): ссылка на её описание в справочнике API' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().meta({ description: 'Адрес запроса' }),
    code: z.string().meta({ description: 'Код ошибки (последняя часть `type`)' }),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Ошибки полей запроса (422)' }),
  })
  .meta({ id: 'Problem', description: 'Ошибка в формате RFC 9457 (application/problem+json)' });

export const sessionToken = z
  .object({
    token: z.string().meta({ description: 'Токен: передавайте его в заголовке `Authorization: Bearer …`' }),
    tokenType: z.literal('Bearer'),
    expiresAt: instant('Действует до'),
    scopes: z.array(z.string()),
  })
  .meta({ id: 'SessionToken' });

export const applicationCreated = z
  .object({
    id: z.number().int().meta({ description: 'Номер заявления' }),
    organizationName: z.string().meta({ description: 'Организация, куда подано заявление' }),
    status: z.literal('unconfirmed').meta({
      description: 'Ждёт подтверждения: на e-mail заявителя отправлена ссылка, действующая неделю',
    }),
  })
  .meta({ id: 'ApplicationCreated' });

const levelOf = z.string().meta({ description: `Уровень: ${LEVELS.join(', ')}` });
const orgRef = z.object({ inpo: z.string(), name: z.string(), level: levelOf }).meta({ id: 'OrganizationRef' });

export const organization = z
  .object({
    inpo: z.string(),
    name: z.string(),
    shortName: z.string().nullable(),
    level: z.enum(LEVELS),
    regionCode: z.number().int(),
    parent: orgRef.nullable(),
    hasTerritorialRights: z.boolean(),
    employerKind: z.string().nullable(),
    employerInn: z.string().nullable(),
    primaryForm: z.string().nullable(),
    address: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    website: z.string().nullable(),
    createdOn: date('Дата создания'),
    liquidatedOn: date('Дата ликвидации').nullable(),
  })
  .meta({ id: 'Organization', description: 'Паспорт организации: общие сведения' });

export const childrenPage = z
  .object({
    items: z.array(
      z
        .object({
          inpo: z.string(),
          name: z.string(),
          level: z.enum(LEVELS),
          activeMembers: z.number().int(),
          workingMembers: z.number().int(),
          employees: z.number().int().nullable(),
          coverage: z.number().nullable().meta({ description: 'Охват: работающих членов на 100 работников' }),
          incomplete: z.number().int().meta({ description: 'Организаций поддерева с неполным паспортом' }),
        })
        .meta({ id: 'ChildOrganization' }),
    ),
    page: z.number().int(),
    total: z.number().int(),
  })
  .meta({ id: 'ChildrenPage' });

/** Who a card is: the fields a list row and a card share. */
const person = {
  id: z.number().int(),
  surname: z.string(),
  name: z.string(),
  patronymic: z.string().nullable(),
  sex: z.enum(['m', 'f']),
  birthDate: date('Дата рождения'),
};

export const memberListItem = z
  .object({
    ...person,
    category: z.string(),
    organization: orgRef,
    joinedOn: date('Дата вступления'),
    leftOn: date('Дата выбытия').nullable(),
    phone: z.string().meta({ description: 'Телефон, скрытый по маске, как в списках: +7 (***) ***-12-34' }),
    email: z.string().meta({ description: 'E-mail, скрытый по маске: i***@example.ru' }),
    restricted: z.boolean().meta({
      description: 'Человек сейчас вне ваших организаций: строка показывает только сведения на дату, без контактов',
    }),
  })
  .meta({ id: 'MemberListItem' });

export const memberPage = z
  .object({
    items: z.array(memberListItem),
    total: z.number().int().meta({ description: 'Сколько всего найдено по фильтру' }),
    next: z.string().nullable().meta({ description: 'Курсор следующей страницы (параметр `after`), null — последняя' }),
  })
  .meta({ id: 'MemberPage' });

export const memberCard = z
  .object({
    ...person,
    phone: z.string().nullable(),
    email: z.string().nullable(),
    snils: z.string().nullable(),
    category: z.string(),
    position: z.string().nullable(),
    isPedagogical: z.boolean(),
    onParentalLeave: z.boolean(),
    studyForm: z.string().nullable(),
    studyYear: z.number().int().nullable(),
    organization: orgRef,
    joinedOn: date('Дата вступления'),
    leftOn: date('Дата выбытия').nullable(),
    leftReason: z.string().nullable(),
  })
  .meta({ id: 'MemberCard', description: 'Карточка члена Профсоюза (чтение записывается в журнал аудита)' });

export const membershipHistory = z
  .object({
    memberId: z.number().int(),
    events: z.array(
      z
        .object({
          kind: z.string().meta({ description: 'admitted, transferred, category_changed, left, readmitted, …' }),
          on: date('Дата события'),
          category: z.string().nullable(),
          reason: z.string().nullable(),
          from: z.string().nullable().meta({ description: 'Из организации' }),
          to: z.string().nullable().meta({ description: 'В организацию' }),
        })
        .meta({ id: 'MembershipEvent' }),
    ),
  })
  .meta({ id: 'MembershipHistory' });

export const unionCards = z
  .object({
    memberId: z.number().int(),
    cards: z.array(
      z
        .object({
          number: z.string().nullable(),
          kind: z.string(),
          status: z.enum(CARD_STATUSES),
          statusOn: date('Дата последнего изменения состояния').nullable(),
          checkUrl: z.string().meta({ description: 'Публичная страница проверки карты (для QR-кода)' }),
        })
        .meta({ id: 'UnionCard' }),
    ),
  })
  .meta({ id: 'UnionCards', description: 'Электронные профсоюзные билеты, новые первыми' });

export const report = z
  .object({
    form: z.unknown().meta({ description: 'Форма: код, название, версия' }),
    organization: orgRef,
    date: date('Дата отчёта'),
    periodStart: date('Начало периода движения'),
    source: z.string().meta({ description: 'live — рассчитан сейчас, filed — сданная версия' }),
    computedAt: z.unknown(),
    readFrom: z.unknown().meta({ description: 'Откуда прочитан: основная база или реплика' }),
    lines: z.array(
      z
        .object({
          section: z.string().nullable(),
          no: z.string(),
          label: z.string(),
          type: z.string(),
          values: z
            .record(z.string(), z.unknown())
            .optional()
            .meta({ description: 'Значения по графам: число, да/нет или null — нет данных' }),
          text: z.unknown().optional(),
        })
        .meta({ id: 'ReportLine' }),
    ),
    controls: z.array(z.unknown()),
    unchecked: z.array(z.unknown()),
    gaps: z.unknown(),
    rows: z.unknown(),
  })
  .meta({
    id: 'Report',
    description: 'Статистический отчёт на дату: строки с номерами и значениями, контроли, пробелы',
  });
