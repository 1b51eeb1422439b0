/** What a person starting the service on a terminal needs to see first. */
export interface BannerInfo {
  baseUrl: string;
  /** Where the data lives: the embedded PostgreSQL's directory, or the server of DATABASE_URL. */
  database: string;
  setupLink: { url: string; expiresAt: Date } | null;
  workers: number;
}

/** The start-up banner: the URLs of the API and its docs, the console, health, metrics and the data. */
export function formatBanner(info: BannerInfo): string {
  const rows: [string, string][] = [
    ['API', `${info.baseUrl}/api/v1`],
    ['Swagger UI', `${info.baseUrl}/docs/`],
    ['OpenAPI', `${info.baseUrl}/openapi.json`],
    ['Events docs', `${info.baseUrl}/docs/events`],
    ['Staff console', `${info.baseUrl}/console`],
    ['Health', `${info.baseUrl}/health/ready`],
    ['Metrics', `${info.baseUrl}/metrics`],
    ['Database', info.database],
  ];
  if (info.workers > 1) rows.push(['Workers', String(info.workers)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = ['', `  QuickStock is running`, '', ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
  if (info.setupLink) {
    const until = info.setupLink.expiresAt.toISOString().slice(11, 16);
    lines.push('', `  No admin exists yet. To create the first one, open this link (valid once, until ${until} UTC):`, `  ${info.setupLink.url}`);
  }
  lines.push('', '  Press Ctrl+C to stop.', '');
  return `${lines.join('\n')}\n`;
}
