/**
 * `make bench-import` (and the `import` line of `make bench`): a CSV product import of BENCH_IMPORT_ROWS
 * (default 100,000) rows against the production build on a scratch database: the dry run, the apply
 * (every row a new product with stock: 100,000 products and 100,000 adjustment movements), then the
 * same file with new prices and stock applied again (every row an update). Prints the wall time of
 * each request and the service's peak RSS above its RSS before the request (sampled every 20 ms
 * from /proc). Target (issue 30): 100,000 rows applied in under 60 s, RSS growth under 200 MB.
 *
 * Env: DATABASE_URL (else an embedded PostgreSQL), BENCH_IMPORT_ROWS.
 */
import { readFileSync } from 'node:fs';
import { createTestDatabase } from '../test-kit/scratch-database';
import { BENCH_ADMIN, call, startBuiltService } from './service';

const ROWS = Number(process.env['BENCH_IMPORT_ROWS'] ?? 100_000);

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) * 1024;
}

/** An Italian Excel file of `rows` products; `round` changes every price and stock figure. */
export function benchCsv(rows: number, round: number): string {
  const lines = ['\uFEFFsku;name;description;category;price;vatRate;reorderLevel;onHand'];
  for (let i = 0; i < rows; i += 1) {
    const cents = 100 + ((i * 7 + round * 13) % 100_000);
    lines.push(
      `BENCH-${String(i).padStart(7, '0')};"Quaderno a righe ""bench"" n. ${i}";"Formato A4; 80 fogli, carta riciclata";Cancelleria ${i % 50};${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')};22;${i % 20};${(i % 500) + round}`,
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export interface ImportFigure {
  label: string;
  status: number;
  seconds: number;
  rssGrowthMb: number;
  report: string;
}

/** Runs the three imports against a fresh database and service; answers their figures. */
export async function importBench(rows = ROWS): Promise<ImportFigure[]> {
  const database = await createTestDatabase();
  const service = await startBuiltService(database.url, { LOG_LEVEL: 'warn' });
  try {
    const token = (await call(service.baseUrl, 'POST', '/api/v1/auth/login', undefined, BENCH_ADMIN)).body.accessToken as string;
    const pid = service.process.pid as number;
    const run = async (label: string, csv: string, dryRun: boolean): Promise<ImportFigure> => {
      const before = rssBytes(pid);
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssBytes(pid));
      }, 20);
      const started = performance.now();
      const res = await fetch(`${service.baseUrl}/api/v1/product-imports${dryRun ? '?dryRun=true' : ''}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        body: csv,
      });
      const text = await res.text();
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      peak = Math.max(peak, rssBytes(pid));
      return { label, status: res.status, seconds, rssGrowthMb: (peak - before) / 1024 / 1024, report: text.slice(0, 200) };
    };
    const first = benchCsv(rows, 0);
    const second = benchCsv(rows, 1);
    const mb = (Buffer.byteLength(first) / 1024 / 1024).toFixed(1);
    return [
      await run(`dry run, ${rows} new rows (${mb} MB)`, first, true),
      await run(`apply, ${rows} new products with stock`, first, false),
      await run(`apply, ${rows} updates (prices and stock)`, second, false),
    ];
  } finally {
    await service.stop();
    await database.drop();
  }
}

export function importLines(figures: readonly ImportFigure[]): string[] {
  return figures.map(
    (f) =>
      `CSV import ${f.label}: HTTP ${f.status} in ${f.seconds.toFixed(1)} s, service RSS +${f.rssGrowthMb.toFixed(0)} MB (target: < 60 s, < 200 MB)${f.status >= 300 ? ` — ${f.report}` : ''}`,
  );
}

if (require.main === module) {
  importBench()
    .then((figures) => {
      for (const line of importLines(figures)) console.log(line);
      if (figures.some((f) => f.status >= 300)) process.exitCode = 1;
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
