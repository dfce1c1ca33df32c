// Connection secrets at rest: AES-256-GCM with a random 96-bit IV per seal and
// the connection's id as associated data, so a ciphertext copied onto another
// row fails to open. The key comes from SLUICE_SECRET_KEY, or in embedded mode
// from a key file generated on first start; SLUICE_SECRET_KEY_PREVIOUS keeps
// secrets sealed before a rotation readable until `npm run secrets:rotate`.
// See docs/decisions/006-connection-secrets.md.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { env, type Env } from '../env';
import { AppError } from '../errors';

export interface SecretKey {
  /** A fingerprint naming the key in stored rows; reveals nothing about it. */
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** Seals new secrets; opens secrets it sealed. */
  current: SecretKey;
  /** Opens secrets sealed before a rotation. */
  previous?: SecretKey;
}

export interface SealedSecrets {
  ciphertext: string;
  iv: string;
  tag: string;
  keyId: string;
}

export function secretKeyFrom(base64: string): SecretKey {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new AppError('SECRETS_UNAVAILABLE', 'A connection secret key must be 32 bytes, base64-encoded');
  return { id: createHash('sha256').update('sluice-secret-key').update(key).digest('hex').slice(0, 16), key };
}

export function generateSecretKey(): string {
  return randomBytes(32).toString('base64');
}

const associatedData = (connectionId: string) => Buffer.from(`sluice:connection:${connectionId}`, 'utf8');

export function sealSecrets(keyring: Keyring, connectionId: string, secrets: Record<string, string>): SealedSecrets {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.current.key, iv);
  cipher.setAAD(associatedData(connectionId));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return { ciphertext: ciphertext.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), keyId: keyring.current.id };
}

export function openSecrets(keyring: Keyring, connectionId: string, sealed: SealedSecrets): Record<string, string> {
  const key = [keyring.current, keyring.previous].find((k) => k?.id === sealed.keyId);
  if (!key) {
    throw new AppError(
      'SECRETS_UNAVAILABLE',
      'The secrets of this connection were encrypted with a key Sluice no longer has. Set SLUICE_SECRET_KEY_PREVIOUS to that key, or enter the password again.',
      { connectionId },
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(associatedData(connectionId));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    const parsed: unknown = JSON.parse(plain);
    if (!parsed || typeof parsed !== 'object' || Object.values(parsed).some((v) => typeof v !== 'string')) throw new Error('not a secrets object');
    return parsed as Record<string, string>;
  } catch (error) {
    // GCM authentication failed: tampered, or sealed for another connection.
    throw new AppError('SECRETS_UNAVAILABLE', 'The secrets of this connection cannot be decrypted (they were altered or belong to another connection). Enter the password again.', { connectionId }, { cause: error });
  }
}

export interface LoadedKeyring {
  keyring: Keyring;
  /** Set when the key file was created just now (embedded mode, first start). */
  generatedFile?: string;
}

/**
 * The keyring from the environment. With no SLUICE_SECRET_KEY, embedded mode
 * (no DATABASE_URL) keeps a key in `$SLUICE_DATA_DIR/secret.key`, created on
 * first use with mode 0600; with a shared PostgreSQL every process needs the
 * same key, so it must be set explicitly.
 */
export function loadKeyring(config: Pick<Env, 'SLUICE_SECRET_KEY' | 'SLUICE_SECRET_KEY_PREVIOUS' | 'DATABASE_URL' | 'dataDir'>): LoadedKeyring {
  const previous = config.SLUICE_SECRET_KEY_PREVIOUS ? { previous: secretKeyFrom(config.SLUICE_SECRET_KEY_PREVIOUS) } : {};
  if (config.SLUICE_SECRET_KEY) return { keyring: { current: secretKeyFrom(config.SLUICE_SECRET_KEY), ...previous } };
  if (config.DATABASE_URL) {
    throw new AppError(
      'SECRETS_UNAVAILABLE',
      'SLUICE_SECRET_KEY is not set. Connections need it to encrypt their passwords; every Sluice process must share the same value (generate one with `openssl rand -base64 32`).',
    );
  }
  const file = path.join(config.dataDir, 'secret.key');
  try {
    return { keyring: { current: secretKeyFrom(readFileSync(file, 'utf8')), ...previous } };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx': if another process created it meanwhile, use theirs.
    writeFileSync(file, `${generateSecretKey()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { keyring: { current: secretKeyFrom(readFileSync(file, 'utf8')), ...previous } };
  }
  return { keyring: { current: secretKeyFrom(readFileSync(file, 'utf8')), ...previous }, generatedFile: file };
}

const GLOBAL_KEY = Symbol.for('sluice.keyring');
type GlobalWithKeyring = typeof globalThis & { [GLOBAL_KEY]?: Keyring };

/** This process's keyring, loaded from the environment on first use. */
export function processKeyring(): Keyring {
  const g = globalThis as GlobalWithKeyring;
  if (!g[GLOBAL_KEY]) {
    const loaded = loadKeyring(env());
    if (loaded.generatedFile) console.log(`Generated a key for connection secrets in ${loaded.generatedFile} (keep it with the data folder; back it up)`);
    g[GLOBAL_KEY] = loaded.keyring;
  }
  return g[GLOBAL_KEY];
}
