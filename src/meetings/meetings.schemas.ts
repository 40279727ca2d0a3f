import { z } from 'zod';
import { integerInput, optionalText, requiredDate, requiredString } from '../shared/fields';
import { parseId } from '../shared/numbers';
import type { MeetingBody, MeetingRow, MeetingStatus, ParticipantsMode } from './meetings.repo';

export const BODY_LABELS: Record<MeetingBody, string> = {
  general: 'Общее собрание первичной профсоюзной организации',
  committee: 'Заседание профсоюзного комитета',
  presidium: 'Заседание президиума',
  conference: 'Конференция',
  plenum: 'Пленум',
};
export const STATUS_LABELS: Record<MeetingStatus, string> = {
  scheduled: 'Назначено',
  open: 'Идёт регистрация',
  closed: 'Закрыто',
  cancelled: 'Отменено',
};
export const PARTICIPANTS_LABELS: Record<ParticipantsMode, string> = {
  members: 'Все члены Профсоюза организации (на момент открытия)',
  invited: 'Приглашённые члены Профсоюза и делегаты (по номерам билетов)',
};

/** The quorum rules offered: more than (strict) or at least a share of the participants; «percent» is typed. */
export const QUORUM_RULES = {
  half: { num: 1, den: 2, strict: true, label: 'более половины участников' },
  two_thirds: { num: 2, den: 3, strict: false, label: 'не менее двух третей участников' },
  three_quarters: { num: 3, den: 4, strict: false, label: 'не менее трёх четвертей участников' },
  percent: { num: 0, den: 100, strict: false, label: 'не менее указанного процента участников' },
} as const;
export type QuorumRule = keyof typeof QUORUM_RULES;

/** How many registered participants make the quorum of `participants`. */
export function quorumNeeded(participants: number, q: { quorumNum: number; quorumDen: number; quorumStrict: boolean }) {
  const share = participants * q.quorumNum;
  return q.quorumStrict ? Math.floor(share / q.quorumDen) + 1 : Math.ceil(share / q.quorumDen);
}

/** The rule in words, as the pages and the minutes state it. */
export function quorumText(q: { quorumNum: number; quorumDen: number; quorumStrict: boolean }): string {
  const rule = (Object.values(QUORUM_RULES) as { num: number; den: number; strict: boolean; label: string }[]).find(
    (r) => r.num === q.quorumNum && r.den === q.quorumDen && r.strict === q.quorumStrict,
  );
  return rule?.label ?? `не менее ${q.quorumNum} % участников`;
}

const MAX_AGENDA_ITEMS = 50;
const MAX_INVITED = 500;
const enumOf = <T extends string>(values: Record<T, string>, message: string) =>
  z.enum(Object.keys(values) as [T, ...T[]], { error: message });

const remoteUrl = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .trim()
    .max(500, 'Не более 500 символов')
    .regex(/^https?:\/\/\S+$/i, 'Ссылка начинается с http:// или https://')
    .optional()
    .transform((v) => v ?? null),
);

export const meetingFormSchema = z
  .object({
    body: enumOf(BODY_LABELS, 'Выберите орган'),
    heldOn: requiredDate('Укажите дату собрания'),
    startsAt: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z
        .string()
        .trim()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Время в формате ЧЧ:ММ')
        .optional()
        .transform((v) => v ?? null),
    ),
    place: optionalText(500),
    remoteUrl,
    participants: enumOf(PARTICIPANTS_LABELS, 'Выберите, кто участвует'),
    quorum: enumOf(
      Object.fromEntries(Object.entries(QUORUM_RULES).map(([k, v]) => [k, v.label])) as Record<QuorumRule, string>,
      'Выберите правило кворума',
    ),
    quorumPercent: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      integerInput('Процент — целое число от 1 до 100')
        .refine((n) => n >= 1 && n <= 100, 'Процент — целое число от 1 до 100')
        .optional(),
    ),
    agenda: z
      .string({ error: 'Укажите повестку дня' })
      .transform((text) =>
        text
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter(Boolean),
      )
      .refine((items) => items.length > 0, 'Укажите повестку дня: по одному вопросу в строке')
      .refine((items) => items.length <= MAX_AGENDA_ITEMS, `Не более ${MAX_AGENDA_ITEMS} вопросов`)
      .refine((items) => items.every((i) => i.length <= 1000), 'Вопрос повестки — не более 1000 символов'),
  })
  .superRefine((f, ctx) => {
    if (!f.place && !f.remoteUrl)
      ctx.addIssue({ code: 'custom', path: ['place'], message: 'Укажите место или ссылку на дистанционное собрание' });
    if (f.quorum === 'percent' && f.quorumPercent === undefined)
      ctx.addIssue({ code: 'custom', path: ['quorumPercent'], message: 'Укажите процент участников для кворума' });
  })
  .transform(({ quorum, quorumPercent, ...f }) => {
    const rule = QUORUM_RULES[quorum];
    return {
      ...f,
      quorumNum: quorum === 'percent' ? quorumPercent! : rule.num,
      quorumDen: rule.den,
      quorumStrict: rule.strict,
    };
  });
export type MeetingForm = z.output<typeof meetingFormSchema>;

/** The scheduling form's fields of a meeting as it is, for its edit form. */
export function formValuesOf(
  m: Pick<
    MeetingRow,
    'body' | 'heldOn' | 'startsAt' | 'place' | 'remoteUrl' | 'participants' | 'quorumNum' | 'quorumDen' | 'quorumStrict'
  >,
  agenda: { title: string }[],
): Record<string, string> {
  const quorum = (Object.keys(QUORUM_RULES) as QuorumRule[]).find((k) => {
    const r = QUORUM_RULES[k];
    return r.num === m.quorumNum && r.den === m.quorumDen && r.strict === m.quorumStrict;
  });
  return {
    body: m.body,
    heldOn: m.heldOn,
    startsAt: m.startsAt ?? '',
    place: m.place ?? '',
    remoteUrl: m.remoteUrl ?? '',
    participants: m.participants,
    quorum: quorum ?? 'percent',
    quorumPercent: quorum ? '' : String(m.quorumNum),
    agenda: agenda.map((i) => i.title).join('\n'),
  };
}

/** The invitations the edit form withdraws (participants not registered yet), by member id. */
export const withdrawSchema = z.object({
  withdraw: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .transform((ids, ctx) => {
      const parsed = ids.map((id) => parseId(id));
      if (parsed.length > MAX_INVITED || parsed.some((id) => id === null))
        ctx.addIssue({ code: 'custom', message: 'Отметьте приглашённых из списка' });
      return parsed as number[];
    }),
});

export const cancelSchema = z.object({
  reason: requiredString('Укажите причину отмены собрания', 500),
});

const MAX_SCAN_LENGTH = 300;
export const scanSchema = z.object({
  scan: requiredString('Отсканируйте билет или введите его номер', MAX_SCAN_LENGTH),
});

export const manualSchema = z.object({
  memberId: z
    .string({ error: 'Выберите участника' })
    .transform((v, ctx) => parseId(v) ?? (ctx.addIssue({ code: 'custom', message: 'Выберите участника' }), z.NEVER)),
  reason: requiredString('Укажите причину регистрации без билета', 500),
});

export const inviteSchema = z.object({
  numbers: z.string({ error: 'Введите номера билетов' }).transform((text, ctx) => {
    const numbers = [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
    if (!numbers.length) ctx.addIssue({ code: 'custom', message: 'Введите хотя бы один номер билета' });
    else if (numbers.length > MAX_INVITED)
      ctx.addIssue({ code: 'custom', message: `Не больше ${MAX_INVITED} номеров за один раз` });
    else if (numbers.some((n) => n.length > 40))
      ctx.addIssue({ code: 'custom', message: 'Номер билета не длиннее 40 символов' });
    return numbers;
  }),
});

const votes = (label: string) =>
  integerInput(`${label}: целое число голосов`).refine(
    (n) => n >= 0 && n <= 1_000_000,
    `${label}: от 0 до 1 000 000 голосов`,
  );
export const decisionSchema = z.object({
  item: integerInput('Выберите вопрос повестки').refine((n) => n >= 1 && n <= 1000, 'Выберите вопрос повестки'),
  decision: requiredString('Запишите текст решения', 5000),
  votesFor: votes('За'),
  votesAgainst: votes('Против'),
  votesAbstained: votes('Воздержались'),
});

export const closeSchema = z.object({
  minutesNumber: requiredString('Укажите номер протокола', 50),
});

export const codeSchema = z.object({
  code: z
    .string({ error: 'Введите код из письма' })
    .trim()
    .regex(/^\d{6}$/, 'Код из письма — 6 цифр'),
});

export const linkEventsSchema = z.object({
  events: z
    .union([z.string(), z.array(z.string())], { error: 'Отметьте приём или выход' })
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .transform((ids, ctx) => {
      const parsed = ids.map((id) => parseId(id));
      if (!parsed.length || parsed.length > 300 || parsed.some((id) => id === null))
        ctx.addIssue({ code: 'custom', message: 'Отметьте приём или выход из списка' });
      return parsed as number[];
    }),
});
