import { dictionary } from '@zxcvbn-ts/language-common';
import { ValidationError } from '../platform/errors';

/** The zxcvbn-ts list of common passwords (~49,000, lower case), loaded once on first use. */
let common: ReadonlySet<string> | undefined;
const commonPasswords = (): ReadonlySet<string> => (common ??= new Set(dictionary['passwords-common']));

const MIN_DISTINCT_CHARACTERS = 4;

/** Why a password is refused, or null when it is acceptable (its length is the contract's concern). */
export function passwordWeakness(password: string): string | null {
  if (password.trim() === '') return 'must not be blank';
  if (commonPasswords().has(password.normalize('NFC').toLowerCase())) return 'is a commonly used password';
  // NIST SP 800-63B: refuse repetitive values such as "aaaaaaaaaaaa" or "abababababab".
  if (new Set(password).size < MIN_DISTINCT_CHARACTERS) return `must use at least ${MIN_DISTINCT_CHARACTERS} different characters`;
  return null;
}

/** Throws a 400 naming the password field (`body.password` unless `field` says otherwise) when the password is blank, common or repetitive. */
export function assertAcceptablePassword(password: string, field = 'body.password'): void {
  const weakness = passwordWeakness(password);
  if (weakness) throw new ValidationError('The password is too easy to guess.', [{ path: field, message: weakness }]);
}
