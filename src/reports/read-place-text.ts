import type { ReadPlace } from '../db/read-place';
import { formatDateTime } from '../shared/format';

/** A standby further behind than this is named with its lag: under it a report is as good as current. */
export const LAG_SHOWN_ABOVE_SECONDS = 5;

/** A lag as people say it: «12 с», «3 мин 5 с», «2 ч 10 мин» (abbreviations: no plural forms to agree). */
export function lagText(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} с`;
  if (s < 3600) return `${Math.floor(s / 60)} мин${s % 60 ? ` ${s % 60} с` : ''}`;
  const minutes = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} ч${minutes ? ` ${minutes} мин` : ''}`;
}

/** What a report computed on the standby says about its data; nothing when the primary computed it. */
export function readPlaceText(place: ReadPlace | undefined): string | undefined {
  if (!place?.replica) return undefined;
  if (!place.dataAt)
    return 'Рассчитан по копии реестра (реплике), время её данных неизвестно: последние изменения могут быть не учтены';
  const at = `Рассчитан по копии реестра (реплике) с данными на ${formatDateTime(new Date(place.dataAt))}`;
  const lag = place.lagSeconds ?? 0;
  if (lag <= LAG_SHOWN_ABOVE_SECONDS) return at;
  return `${at}: копия отстаёт на ${lagText(lag)}, изменения за это время в расчёт не вошли`;
}
