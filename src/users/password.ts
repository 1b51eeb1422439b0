import argon2 from 'argon2';
import { assertAcceptablePassword } from './password-policy';

/**
 * argon2id with the package defaults (m = 64 MiB, t = 3, p = 4: above OWASP's minimum).
 * Passwords are NFC-normalised so the same password typed on two systems matches; never truncated.
 * Every stored password is hashed here, so the policy (no blank, common or repetitive password) is
 * enforced here too, before the hash is paid for.
 */
export async function hashPassword(password: string, field = 'body.password'): Promise<string> {
  assertAcceptablePassword(password, field);
  return argon2.hash(password.normalize('NFC'), { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password.normalize('NFC'));
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** Spends the time of a real verification, so an unknown email answers as slowly as a wrong password. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('quickstock-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
  return false;
}
