import type { Knex } from 'knex';
import QRCode from 'qrcode';
import { memberViewPaths } from '../access/access';
import type { Principal } from '../access/principal';
import { recordAuditForMembers, type AuditContext } from '../audit/audit';
import { NotFoundError } from '../http/errors';
import { isUuid } from '../shared/uuid';
import { reserveCardCheck } from './card-check-throttle';
import { checkNumbers, findCardByToken } from './card-check.repo';

/** Numbers one check of a meeting takes: a hall of a few hundred, typed or scanned one per line. */
export const MAX_CHECKED_NUMBERS = 500;

/** The union card check (issue 18, item 4): by a card's token for anyone, by numbers for staff. */
export function createCardCheckService(db: Knex, publicUrl: string) {
  const checkUrl = (token: string) => `${publicUrl}/card/${token}`;
  return {
    checkUrl,

    /**
     * The public answer for a token: counted per address first (429 past the limit), then valid or not
     * with the number, the holder's initials and the organization. A token that names no card is a
     * missing page, like any other unknown address.
     */
    async byToken(token: string, ip: string | null) {
      await reserveCardCheck(db, ip ?? '0.0.0.0');
      const card = isUuid(token) ? await findCardByToken(db, token.toLowerCase()) : undefined;
      if (!card) throw new NotFoundError('Карта не найдена');
      return card;
    },

    /**
     * Many numbers at once for a meeting: valid or not for every card, the holder's name only inside the
     * reader's subtrees, and a read-audit row for each member whose name was shown.
     */
    async byNumbers(principal: Principal, ctx: AuditContext, numbers: string[]) {
      const rows = await checkNumbers(db, numbers, memberViewPaths(principal));
      const shown = [...new Set(rows.flatMap((r) => (r.memberId == null ? [] : [r.memberId])))];
      await recordAuditForMembers(db, ctx, 'card.checked', shown, {});
      return rows;
    },

    /**
     * Each card's check address and its QR code (to print or show from a phone), by card id: an SVG image
     * as a data: URL, which the CSP allows and no script needs.
     */
    async checkCodesOf(cards: { id: number; checkToken: string }[]) {
      const codes = await Promise.all(
        cards.map(async (c) => {
          const url = checkUrl(c.checkToken);
          const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
          return [c.id, { url, image: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` }] as const;
        }),
      );
      return Object.fromEntries(codes) as Record<number, { url: string; image: string }>;
    },
  };
}

export type CardCheckService = ReturnType<typeof createCardCheckService>;
