/**
 * SQL pieces for reads answered as JSON built by PostgreSQL (`json_build_object`, `json_agg`): one
 * statement can then carry a row with its children, each owning module writing its own part.
 */

/**
 * A timestamptz as the API writes it: `new Date(d).toISOString()` of the Date that pg parses, i.e.
 * UTC, milliseconds truncated (not rounded) from PostgreSQL's microseconds, `Z`.
 */
export function isoTimestampSql(expr: string): string {
  return `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** `json_agg` of `object` in `order`, `[]` (not null) over no rows. */
export function jsonArraySql(object: string, order: string): string {
  return `coalesce(json_agg(${object} ORDER BY ${order}), '[]'::json)`;
}
