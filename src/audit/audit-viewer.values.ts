import type { Knex } from 'knex';
import { can } from '../access/access';
import type { Principal } from '../access/principal';
import { ROLE_LABELS } from '../access/roles';
import { CARD_STATUS_LABELS } from '../cards/card-statuses';
import { CATEGORY_LABELS, LEFT_REASON_LABELS } from '../membership/membership';
import { EMPLOYER_KIND_LABELS, LEVEL_LABELS, PRIMARY_FORM_LABELS } from '../registry/levels';
import { OFFICER_POST_LABELS } from '../registry/officer-posts';
import { AGREEMENT_STATUS_LABELS } from '../registry/passport.schemas';
import { INPO_PATTERN } from '../shared/inpo';
import { findOrgsReferred } from './audit-viewer.repo';
import type { ValueNamer } from './labels';

// The audit log records codes as the services hold them ('primary', 'chair', an organization's id or ИНПО);
// the journals show them as the forms that wrote them do. This sits with the viewer, not in labels.ts: the
// dictionaries belong to features the audit recorder may not import (eslint.config.js).

/** Per recorded field, the dictionary of its codes; a value missing from it (free text) is shown as it is. */
const VALUE_LABELS: Record<string, Readonly<Record<string, string>>> = {
  level: LEVEL_LABELS,
  employerKind: EMPLOYER_KIND_LABELS,
  primaryForm: PRIMARY_FORM_LABELS,
  post: OFFICER_POST_LABELS,
  category: CATEGORY_LABELS,
  reason: LEFT_REASON_LABELS,
  role: ROLE_LABELS,
  // a card's or an agreement's status: the two dictionaries share no code
  status: { ...CARD_STATUS_LABELS, ...AGREEMENT_STATUS_LABELS },
  from: CARD_STATUS_LABELS,
  to: CARD_STATUS_LABELS,
  sex: { m: 'мужской', f: 'женский' },
  studyForm: { full_time: 'очная', part_time: 'очно-заочная', distance: 'заочная' },
  // who acted when no user did (members/consents.ts BY_MEMBER)
  actor: { member: 'сам член Профсоюза' },
  // members/consents.ts CHANNEL_LABELS: importing it would tie registry/passport.service, which uses this module, to members/
  channel: { email: 'e-mail', sms: 'SMS', push: 'push-уведомления' },
};

/** Fields that hold an organization's id, and those that hold its ИНПО (`to` is a card status elsewhere). */
const ORG_ID_FIELDS: ReadonlySet<string> = new Set(['parentId']);
const ORG_INPO_FIELDS: ReadonlySet<string> = new Set([
  'parentInpo',
  'mergedInto',
  'transferTo',
  'organization',
  'organizationInpo',
  'to',
]);

const isOrgId = (field: string, value: unknown) => ORG_ID_FIELDS.has(field) && Number.isSafeInteger(Number(value));
const isOrgInpo = (field: string, value: unknown) =>
  ORG_INPO_FIELDS.has(field) && typeof value === 'string' && INPO_PATTERN.test(value);

/** A dictionary code in Russian; organizations are left to `namerFor`, which reads their names. */
export const nameCode: ValueNamer = (field, value) => {
  const label = typeof value === 'string' ? VALUE_LABELS[field]?.[value] : undefined;
  return label === undefined ? undefined : { text: label };
};

type Recorded = { oldValues: Record<string, unknown> | null; newValues: Record<string, unknown> | null };

/**
 * The namer for a batch of rows: codes in Russian, organizations by name (one query for the batch), linked
 * when the reader may open them — a journal shows no link that answers 403.
 */
export async function namerFor(db: Knex, principal: Principal, rows: readonly Recorded[]): Promise<ValueNamer> {
  const ids = new Set<number>();
  const inpos = new Set<string>();
  for (const row of rows) {
    for (const values of [row.oldValues, row.newValues]) {
      for (const [field, value] of Object.entries(values ?? {})) {
        if (isOrgId(field, value)) ids.add(Number(value));
        if (isOrgInpo(field, value)) inpos.add(value as string);
      }
    }
  }
  const orgs = await findOrgsReferred(db, [...ids], [...inpos]);
  const named = (org: (typeof orgs)[number] | undefined) =>
    org && {
      text: org.name,
      ...(can(principal, 'org.view', { ...org, id: Number(org.id) }) ? { href: `/orgs/${org.inpo}` } : {}),
    };
  return (field, value) => {
    if (isOrgId(field, value)) return named(orgs.find((o) => Number(o.id) === Number(value)));
    if (isOrgInpo(field, value)) return named(orgs.find((o) => o.inpo === value));
    return nameCode(field, value);
  };
}
