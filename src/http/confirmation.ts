import type { Request, Response } from 'express';

/**
 * A destructive action takes two POSTs: the first (without `confirmed=1`) renders a page that says what
 * will happen and to how many, with a form that sends the same fields again plus `confirmed=1`; only
 * that second POST acts. A server-rendered second step because the CSP forbids inline script, so a
 * JS confirm() is not available — and it would not tell the count anyway.
 */
export interface Confirmation {
  title: string;
  /** What will happen, as one sentence. */
  consequence: string;
  /** How many records the action touches; shown prominently, 0 says there is nothing to do. */
  affected?: { count: number; noun: string };
  /** Further facts the person should weigh (dates, reasons, targets). */
  details?: string[];
  confirmLabel: string;
  cancelHref: string;
}

/** Fields that belong to the page, not to the action: a fresh CSRF and form token are rendered anew. */
const OWN_FIELDS = new Set(['_csrf', 'formToken', 'confirmed']);

export function isConfirmed(req: Request): boolean {
  return (req.body as Record<string, unknown> | undefined)?.confirmed === '1';
}

/** The submitted fields as name/value pairs (repeated names such as ticked ids stay repeated). */
export function resubmittedFields(body: unknown): [string, string][] {
  if (!body || typeof body !== 'object') return [];
  return Object.entries(body as Record<string, unknown>).flatMap(([name, value]) => {
    if (OWN_FIELDS.has(name)) return [];
    const values = Array.isArray(value) ? value : [value];
    return values
      .filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v))
      .map((v) => [name, String(v)] as [string, string]);
  });
}

/** Renders the confirmation step for the POST being handled; `locals` carry the page's section and organization. */
export function askConfirmation(
  req: Request,
  res: Response,
  confirmation: Confirmation,
  locals: Record<string, unknown> = {},
) {
  res.render('confirm/confirm', {
    title: confirmation.title,
    ...locals,
    confirmation,
    action: req.originalUrl,
    fields: resubmittedFields(req.body),
  });
}
