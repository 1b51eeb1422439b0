import { h } from './hooks';

/** Reads stored state directly, to assert what the API did to the database. */
export async function query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  const res = await h().db.query(sql, params);
  return res.rows as T[];
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
