import type { Request } from 'express';
import { z } from 'zod';
import { memberViewPaths } from '../access/access';
import { principalOf } from '../http/guards';
import { CARD_STATUSES } from '../cards/card-statuses';
import { EMPLOYER_KINDS } from '../registry/levels';
import { isoDateParam } from '../shared/fields';
import { CATEGORIES } from '../membership/membership';
import type { ListReader, MemberListFilter } from './members.repo';
import { MEMBER_SORT_KEYS } from './members.schemas';

export const AGE_BANDS: Record<string, { label: string; range: [number, number] }> = {
  'under-35': { label: 'до 35 лет', range: [0, 35] },
  '35-50': { label: '35–49 лет', range: [35, 50] },
  '50-65': { label: '50–64 года', range: [50, 65] },
  '65-plus': { label: '65 лет и старше', range: [65, 150] },
};
export const TENURE_BANDS: Record<string, { label: string; range: [number, number] }> = {
  'under-1': { label: 'меньше года', range: [0, 1] },
  '1-5': { label: '1–4 года', range: [1, 5] },
  '5-10': { label: '5–9 лет', range: [5, 10] },
  '10-plus': { label: '10 лет и больше', range: [10, 200] },
};

/** A member list's filter, sort and cursor as the list page, its downloads and its bulk form send them. */
export const listQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  category: z.enum(CATEGORIES).optional().catch(undefined),
  sex: z.enum(['m', 'f']).optional().catch(undefined),
  status: z.enum(['active', 'left', 'all']).catch('active'),
  pedagogical: z.enum(['yes', 'no']).optional().catch(undefined),
  consent: z.enum(['mailing', 'no_mailing', 'no_processing']).optional().catch(undefined),
  sort: z.enum(MEMBER_SORT_KEYS).catch('name'),
  on: isoDateParam(),
  age: z
    .enum(Object.keys(AGE_BANDS) as [string, ...string[]])
    .optional()
    .catch(undefined),
  tenure: z
    .enum(Object.keys(TENURE_BANDS) as [string, ...string[]])
    .optional()
    .catch(undefined),
  card: z
    .enum(['none', ...CARD_STATUSES])
    .optional()
    .catch(undefined),
  cardKind: z.enum(['plastic', 'virtual']).optional().catch(undefined),
  kind: z.enum(EMPLOYER_KINDS).optional().catch(undefined),
  address: z.enum(['invalid']).optional().catch(undefined),
  after: z.string().max(1000).optional().catch(undefined),
});

export type ListQuery = z.output<typeof listQuery>;

/** The member list's filters a target of today's members of a subtree keeps (a mailing's, a member poll's). */
export type TargetFilter = Pick<ListQuery, 'category' | 'sex' | 'pedagogical' | 'age' | 'tenure' | 'card' | 'kind'>;

/** A form's target filters, read as the member list reads them; only those given are kept. */
export function targetFilterOf(body: unknown): TargetFilter {
  const q = listQuery.parse(body ?? {});
  const filter: TargetFilter = {
    category: q.category,
    sex: q.sex,
    pedagogical: q.pedagogical,
    age: q.age,
    tenure: q.tenure,
    card: q.card,
    kind: q.kind,
  };
  return JSON.parse(JSON.stringify(filter)) as TargetFilter;
}

/** The list's filter as query parameters (for links, exports and the bulk form's hidden fields). */
export function filterParams(query: ListQuery): [string, string][] {
  const { after: _after, ...filter } = query;
  return Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
}

/** The repo's filter from the parsed query: the age and tenure bands as ranges of years. */
export function filterOf(query: ListQuery): MemberListFilter {
  return {
    q: query.q,
    category: query.category,
    sex: query.sex,
    status: query.status,
    pedagogical: query.pedagogical === undefined ? undefined : query.pedagogical === 'yes',
    consent: query.consent,
    age: query.age ? AGE_BANDS[query.age]!.range : undefined,
    tenure: query.tenure ? TENURE_BANDS[query.tenure]!.range : undefined,
    cardStatus: query.card,
    cardKind: query.cardKind,
    employerKind: query.kind,
    on: query.on,
    emailInvalid: query.address === 'invalid' || undefined,
  };
}

/** The reader of a list: where they may open cards now (the list's rule, members.repo listedMembers). */
export function readerOf(req: Request): ListReader {
  return { viewPaths: memberViewPaths(principalOf(req)) };
}
