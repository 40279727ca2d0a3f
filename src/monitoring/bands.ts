/**
 * The union's bands of members on electronic record vs the statistical report (its annual review, Tables
 * 2–3): over 90 %, over 70 %, over 50 %, over 20 %, and the rest. Each band has a colour class and a text,
 * so that the band is never told by colour alone (print, colour blindness, screen readers).
 */
export interface Band {
  key: 'over-90' | 'over-70' | 'over-50' | 'over-20' | 'under-20';
  label: string;
  className: string;
}

export const BANDS: readonly (Band & { above: number })[] = [
  { key: 'over-90', above: 90, label: 'более 90 %', className: 'table-success' },
  { key: 'over-70', above: 70, label: 'более 70 %', className: 'table-info' },
  { key: 'over-50', above: 50, label: 'более 50 %', className: 'table-warning' },
  { key: 'over-20', above: 20, label: 'более 20 %', className: 'table-danger' },
  { key: 'under-20', above: -Infinity, label: '20 % и менее', className: 'table-dark' },
];

/** The band of a coverage percentage; none without a declared figure to compare with. */
export function bandOf(percent: number | null): Band | null {
  if (percent == null || !Number.isFinite(percent)) return null;
  const band = BANDS.find((b) => percent > b.above)!;
  return { key: band.key, label: band.label, className: band.className };
}
