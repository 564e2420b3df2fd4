/** Minor units as the player reads them: "€12.50". */
export function formatMoney(minor: number | null, currency: string | null): string {
  if (minor === null) return '—';
  const code = currency?.trim() || 'EUR';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: code }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${code}`;
  }
}

/** A chip's face: "5", "25", "1K". */
export function chipLabel(minor: number): string {
  const major = minor / 100;
  if (major >= 1000) return `${major / 1000}K`;
  return Number.isInteger(major) ? String(major) : major.toFixed(2);
}
