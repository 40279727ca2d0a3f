/** A SNILS with a valid checksum for a nine-digit number (above 001-001-998, where checksums start). */
export function validSnils(body: number): string {
  const digits = String(body).padStart(9, '0');
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (9 - i);
  const check = sum < 100 ? sum : sum % 101 === 100 ? 0 : sum % 101;
  return `${digits}${String(check).padStart(2, '0')}`;
}
