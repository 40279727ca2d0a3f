import { AppError, ValidationError, type FieldError } from '../http/errors';

/**
 * A service's refusal of a submitted form, as the fields it concerns: validation (422) lists them; an
 * organization not found or not the user's (404) and a role they may not give (403) keep their status
 * (the authorization matrix sees them) and still show the message next to the field that caused it.
 */
export function refusalAsFields(
  err: unknown,
  fields: { notFound: string; forbidden: string },
): { status: number; errors: FieldError[] } | null {
  if (err instanceof ValidationError) return { status: 422, errors: err.fields };
  if (err instanceof AppError && (err.status === 404 || err.status === 403 || err.status === 409)) {
    const field = err.status === 404 ? fields.notFound : fields.forbidden;
    const message = err.status === 404 ? 'Организация с таким ИНПО не найдена в вашей части реестра' : err.message;
    return { status: err.status, errors: [{ field: err.status === 409 ? 'form' : field, message }] };
  }
  return null;
}

/** Re-renders a form with the refusal, or lets an unexpected error go on to the error page. */
export async function renderRefusal(
  err: unknown,
  fields: { notFound: string; forbidden: string },
  render: (status: number, errors: FieldError[]) => Promise<void>,
): Promise<void> {
  const refusal = refusalAsFields(err, fields);
  if (!refusal) throw err;
  await render(refusal.status, refusal.errors);
}
