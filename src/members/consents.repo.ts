import type { Knex } from 'knex';

/** The member's consent of this kind and channel that has not been withdrawn, if any. */
export async function findActiveConsent(trx: Knex, memberId: number, kind: string, channel: string | null) {
  return trx('member_consents')
    .where({ member_id: memberId, kind })
    .whereNull('withdrawn_on')
    .where((q) => (channel ? q.where('channel', channel) : q.whereNull('channel')))
    .first('id');
}

export async function insertConsent(
  trx: Knex,
  consent: {
    memberId: number;
    kind: string;
    channel: string | null;
    textVersion: string;
    source: string;
    on: string;
    actorUserId: number | null;
  },
): Promise<string> {
  const [row] = await trx('member_consents')
    .insert({
      member_id: consent.memberId,
      kind: consent.kind,
      channel: consent.channel,
      text_version: consent.textVersion,
      source: consent.source,
      given_on: consent.on,
      actor_user_id: consent.actorUserId,
    })
    .returning('id');
  // bigint: its text, as the audit row has always recorded it
  return row.id as string;
}

/** One consent of the member's, locked until the transaction ends. */
export async function lockConsent(
  trx: Knex,
  memberId: number,
  consentId: number,
): Promise<{ givenOn: string; withdrawnOn: string | null } | undefined> {
  return trx('member_consents')
    .where({ id: consentId, member_id: memberId })
    .forUpdate()
    .first({ givenOn: 'given_on', withdrawnOn: 'withdrawn_on' });
}

export async function withdrawConsentRow(trx: Knex, consentId: number, on: string) {
  await trx('member_consents').where({ id: consentId }).update({ withdrawn_on: on });
}
