/** A `%…%` pattern that matches `text` literally: LIKE's wildcards and the escape are escaped (use with ESCAPE '\'). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A `…%` pattern: rows starting with `text` literally (backslash, LIKE's default escape, escapes the wildcards). */
export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
