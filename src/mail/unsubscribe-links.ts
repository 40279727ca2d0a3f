import type { Knex } from 'knex';
import { UNSUBSCRIBE_PATH } from '../shared/unsubscribe-path';
import {
  deleteExpiredUnsubscribeTokens,
  findUnsubscribeToken,
  issueUnsubscribeToken,
  issueUnsubscribeTokens,
  type UnsubscribePurpose,
} from './unsubscribe-tokens.repo';

export type { UnsubscribePurpose };

/** A new link for one letter to the member, issued on `trx` so that it commits with the letter. */
export async function newUnsubscribeLink(trx: Knex, publicUrl: string, memberId: number): Promise<string> {
  return `${publicUrl}${UNSUBSCRIBE_PATH}/${await issueUnsubscribeToken(trx, memberId, 'mailing')}`;
}

/** New links for several letters, one statement (a mailing's batch): in the order of the members. */
export async function newUnsubscribeLinks(db: Knex, publicUrl: string, memberIds: number[]): Promise<string[]> {
  const tokens = await issueUnsubscribeTokens(db, memberIds, 'mailing');
  return tokens.map((token) => `${publicUrl}${UNSUBSCRIBE_PATH}/${token}`);
}

/** The letter's text with the link at its end, for readers whose mail client shows no unsubscribe button. */
export function withUnsubscribeFooter(text: string, link: string): string {
  return `${text.trimEnd()}\n\n--\nЧтобы больше не получать рассылки Профсоюза, откройте ссылку:\n${link}\n`;
}

/** RFC 2369 and RFC 8058: the link, and that a POST to it unsubscribes at once (no page, no login). */
export function oneClickHeaders(link: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** The member a live token names (undefined: unknown or expired). */
export const unsubscribeTarget = findUnsubscribeToken;

/** Expired links answer nothing any more (hourly housekeeping). */
export const pruneUnsubscribeTokens = deleteExpiredUnsubscribeTokens;
