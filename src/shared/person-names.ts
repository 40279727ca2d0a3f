/**
 * Particles of Turkic and other patronymics and surnames that stay lowercase inside a name
 * («Мамедов Ильхам Алиев оглы», «Турсун-заде»); as the first word of a field they are capitalised like any
 * other word, since then they are the name itself («Ван» is a surname).
 */
const LOWERCASE_PARTICLES = new Set([
  'оглы',
  'огли',
  'угли',
  'улы',
  'уулу',
  'кызы',
  'гызы',
  'кизи',
  'заде',
  'ибн',
  'бин',
  'бинт',
  'фон',
  'ван',
  'дер',
  'де',
  'ди',
  'да',
  'ла',
  'ле',
]);

function capitalized(part: string): string {
  return part.charAt(0).toUpperCase() + part.slice(1).toLowerCase();
}

/**
 * A surname, name or patronymic as the registry stores it, however it was typed or imported:
 * «семенов борис петрович» → «Семенов Борис Петрович», «АБРАМОВА-ПЕТРОВА» → «Абрамова-Петрова» (each part of a
 * double-barrelled name capitalised), particles lowercase after the first word; runs of spaces become one.
 */
export function capitalizePersonName(value: string): string {
  return value
    .trim()
    .split(/\s+/)
    .map((word, w) =>
      word
        .split('-')
        .map((part, p) =>
          w + p > 0 && LOWERCASE_PARTICLES.has(part.toLowerCase()) ? part.toLowerCase() : capitalized(part),
        )
        .join('-'),
    )
    .join(' ');
}
