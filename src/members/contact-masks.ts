/** Lists show contacts masked: enough to recognise, not to copy. */
export function maskPhone(phone: string | null): string {
  // the shape of formatPhone (shared/format), so a masked number reads like a shown one
  return phone ? `${phone.slice(0, 2)} (***) ***-${phone.slice(-4, -2)}-${phone.slice(-2)}` : '';
}

export function maskEmail(email: string | null): string {
  if (!email) return '';
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 1)}***@${domain}`;
}
