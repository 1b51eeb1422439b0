/** A `%…%` pattern that matches `text` literally: LIKE's wildcards and the escape are escaped (use with ESCAPE '\'). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A `…%` pattern: rows starting with `text` literally (backslash, LIKE's default escape, escapes the wildcards). */
export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The SQL of a `%…%` pattern that matches the value of `expr` literally, escaped in SQL (use with
 * ESCAPE '\'). For a value that passes through `unaccent` first: unaccent maps fullwidth `％ ＿ ＼`
 * (and the small ﹪ ﹨) to `% _ \`, so a pattern escaped before unaccent would get its wildcards back.
 */
export function likeContainsSql(expr: string): string {
  return `'%' || regexp_replace(${expr}, '([\\\\%_])', '\\\\\\1', 'g') || '%'`;
}
