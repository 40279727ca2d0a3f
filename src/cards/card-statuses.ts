export const CARD_STATUSES = [
  'requested',
  'sent_to_production',
  'produced',
  'delivered_to_region',
  'handed_to_organization',
  'issued',
  'refused',
  'lost',
  'blocked',
] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

/** Each state agrees with «карта» (feminine): «Доставлена», «Выдана». */
export const CARD_STATUS_LABELS: Record<CardStatus, string> = {
  requested: 'Заявка',
  sent_to_production: 'Отправлена в производство',
  produced: 'Изготовлена',
  delivered_to_region: 'Доставлена в регион',
  handed_to_organization: 'Передана в организацию',
  issued: 'Выдана',
  refused: 'Отказ',
  lost: 'Утрачена или повреждена',
  blocked: 'Заблокирована',
};

/** A card's way: the production line, plus refusal and loss at any point before the end; a block ends any live card. */
export const NEXT_STATUSES: Record<CardStatus, readonly CardStatus[]> = {
  requested: ['sent_to_production', 'refused'],
  sent_to_production: ['produced', 'refused'],
  produced: ['delivered_to_region', 'lost'],
  delivered_to_region: ['handed_to_organization', 'issued', 'refused', 'lost'],
  handed_to_organization: ['issued', 'refused', 'lost'],
  issued: ['lost'],
  refused: [],
  lost: [],
  blocked: [],
};

export const LIVE_STATUSES: readonly CardStatus[] = CARD_STATUSES.filter(
  (s) => !['refused', 'lost', 'blocked'].includes(s),
);

export function mayMove(from: CardStatus, to: CardStatus): boolean {
  return NEXT_STATUSES[from].includes(to) || (to === 'blocked' && LIVE_STATUSES.includes(from));
}
