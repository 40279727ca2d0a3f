// Random picks for the journeys: seeded, so two runs over the same union ask the same sequence of pages.

let state = 0x5eed_2026;

/** mulberry32: a small deterministic generator (Math.random cannot be seeded). */
export function random(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export function pick<T>(items: readonly T[]): T {
  if (!items.length) throw new Error('an empty pool');
  return items[Math.floor(random() * items.length)]!;
}

/** A day between `from` and `to` (ISO dates), at random. */
export function randomDate(from: string, to: string): string {
  const start = Date.parse(`${from}T00:00:00Z`);
  const days = Math.floor((Date.parse(`${to}T00:00:00Z`) - start) / 86_400_000);
  return new Date(start + Math.floor(random() * (days + 1)) * 86_400_000).toISOString().slice(0, 10);
}
