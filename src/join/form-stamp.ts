import crypto from 'node:crypto';

// The application form carries the moment it was shown, signed: a form sent back sooner than a person
// could fill it (a script) is refused, and so is one whose stamp was made up or is older than a day.

/** A person needs longer than this to fill the form; a script needs none. */
export const MIN_FILL_SECONDS = 3;
const MAX_AGE_SECONDS = 24 * 3600;

export function createFormStamps(secret: string) {
  const sign = (ms: number) => crypto.createHmac('sha256', secret).update(`join:${ms}`).digest('base64url');
  return {
    /** The stamp of a form shown at `now`. */
    issue(now = Date.now()): string {
      return `${now}.${sign(now)}`;
    },
    /** Why a stamp is refused (a Russian message), or null when it is good. */
    problem(stamp: unknown, now = Date.now()): string | null {
      const [raw, mac] = typeof stamp === 'string' ? stamp.split('.') : [];
      const ms = Number(raw);
      const good =
        Number.isSafeInteger(ms) &&
        typeof mac === 'string' &&
        mac.length === 43 &&
        crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(sign(ms)));
      if (!good || now - ms > MAX_AGE_SECONDS * 1000)
        return 'Форма устарела: откройте страницу заново и заполните заявление ещё раз';
      if (now - ms < MIN_FILL_SECONDS * 1000)
        return 'Заявление отправлено слишком быстро. Проверьте данные и отправьте ещё раз';
      return null;
    },
  };
}

export type FormStamps = ReturnType<typeof createFormStamps>;
