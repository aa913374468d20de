/**
 * Password hashing for Better Auth (emailAndPassword.password): argon2id through @node-rs/argon2
 * (prebuilt native binary, no compiler needed). Parameters are the package defaults, which follow
 * OWASP's argon2id minimum (19 MiB memory, 2 iterations, 1 lane); the PHC string stores them, so
 * raising them later keeps old hashes verifiable.
 */
import { hash, verify } from "@node-rs/argon2";

/** `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` for a password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** True when the password matches the stored PHC string; false for a wrong password or a malformed hash. */
export async function verifyPassword({ hash: stored, password }: { hash: string; password: string }): Promise<boolean> {
  if (!stored.startsWith("$argon2")) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
