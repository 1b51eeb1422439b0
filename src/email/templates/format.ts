/** Italian formats for mails: amounts as `1.234,56 €`, dates and times in Europe/Rome. */

/** Cents as euros, `1.234,56 €`: exact integer arithmetic, a dot every three digits, a plain space before the sign. */
export function euro(cents: number): string {
  const negative = cents < 0;
  const abs = Math.abs(Math.trunc(cents));
  const units = Math.floor(abs / 100).toString();
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const decimals = (abs % 100).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${grouped},${decimals} €`;
}

const DATE = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: 'numeric', month: 'long', year: 'numeric' });
const TIME = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** `7 dicembre 2026` (Europe/Rome). */
export function italianDate(at: Date | string): string {
  return DATE.format(new Date(at));
}

/** `7 dicembre 2026 alle 09:30` (Europe/Rome). */
export function italianDateTime(at: Date | string): string {
  const date = new Date(at);
  return `${DATE.format(date)} alle ${TIME.format(date)}`;
}

/** `09:30` (Europe/Rome). */
export function italianTime(at: Date | string): string {
  return TIME.format(new Date(at));
}

/** An `https:` URL as given, anything else (http:, javascript:, data:, not a URL) as null: only those become links. */
export function httpsLink(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
