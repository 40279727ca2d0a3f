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
     * Each card's check address and the address of its QR code's image (to print or show from a phone), by
     * card id. The image is a resource of its own (qrSvg), not a data: URL inside the page: drawing the code
     * took a tenth of the card page's time at 32 clients (issue 15), and a browser keeps the image.
     */
    checkCodesOf(cards: { id: number; checkToken: string }[]) {
      return Object.fromEntries(
        cards.map((c) => [c.id, { url: checkUrl(c.checkToken), image: `/card/${c.checkToken}/qr.svg` }]),
      ) as Record<number, { url: string; image: string }>;
    },

    /** The QR code of a token's check address, an SVG image; a token that is no uuid is a missing page. */
    async qrSvg(token: string): Promise<string> {
      if (!isUuid(token)) throw new NotFoundError('Карта не найдена');
      return QRCode.toString(checkUrl(token.toLowerCase()), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    },
  };
}

export type CardCheckService = ReturnType<typeof createCardCheckService>;
