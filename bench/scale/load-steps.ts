/** The loader's steps: each timed in the log, the large ones in chunks of ordinals. */
export const CHUNK = 250_000;

export async function timed(label: string, run: () => Promise<unknown>, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  await run();
  log(`  ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function chunks(total: number, run: (from: number, to: number) => Promise<unknown>): Promise<void> {
  for (let from = 1; from <= total; from += CHUNK) await run(from, Math.min(total, from + CHUNK - 1));
}

/** Order g's status (SQL of the ordinal `g`): 2 % pending, 3 % paid, 3 % in preparation, 5 % shipped, 10 % cancelled, 77 % delivered. */
export const statusOf = (g: string): string =>
  `(CASE WHEN ${g} % 100 < 2 THEN 'pending_payment' WHEN ${g} % 100 < 5 THEN 'paid' WHEN ${g} % 100 < 8 THEN 'in_preparation'
  WHEN ${g} % 100 < 13 THEN 'shipped' WHEN ${g} % 100 < 23 THEN 'cancelled' ELSE 'delivered' END)`;

/** Delivered orders with a return (one unit of line 1 received, scrapped, refunded): 1 %. */
export const hasReturn = (g: string): string => `(${g} % 100 = 50)`;
