// Stored connections: non-secret settings as JSON, secret fields sealed
// (./secrets.ts). Everything that leaves this module for the browser goes
// through `publicConnection`, which has no secrets, only `hasPassword`.
import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaNamespace } from '../db/database';
import { AppError } from '../errors';
import { ConnectionSettings, secretFields, type ConnectionType } from './connection';
import { openSecrets, sealSecrets, type Keyring } from './secrets';

const storedSelect = {
  id: true,
  workspaceId: true,
  name: true,
  type: true,
  settings: true,
  secretCiphertext: true,
  secretIv: true,
  secretTag: true,
  secretKeyId: true,
  createdAt: true,
  updatedAt: true,
} satisfies PrismaNamespace.ConnectionSelect;

type StoredConnection = PrismaNamespace.ConnectionGetPayload<{ select: typeof storedSelect }>;

export interface PublicConnection {
  id: string;
  name: string;
  type: ConnectionType;
  /** Settings without secret fields. */
  settings: Record<string, unknown>;
  hasPassword: boolean;
  createdAt: Date;
  updatedAt: Date;
}

function splitSecrets(settings: ConnectionSettings): { open: Record<string, unknown>; secrets: Record<string, string> } {
  const open: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  const secret = new Set(secretFields[settings.type]);
  for (const [key, value] of Object.entries(settings)) {
    if (secret.has(key)) secrets[key] = String(value);
    else open[key] = value;
  }
  return { open, secrets };
}

const sealedOf = (row: StoredConnection) => ({ ciphertext: row.secretCiphertext, iv: row.secretIv, tag: row.secretTag, keyId: row.secretKeyId });

function storedSettings(row: StoredConnection): Record<string, unknown> {
  return row.settings && typeof row.settings === 'object' && !Array.isArray(row.settings) ? row.settings : {};
}

/** Full settings, secrets included. Server-only. */
function decryptedSettings(keyring: Keyring, row: StoredConnection): ConnectionSettings {
  const secrets = openSecrets(keyring, row.id, sealedOf(row));
  return ConnectionSettings.parse({ ...storedSettings(row), ...secrets, type: row.type });
}

export function publicConnection(row: StoredConnection, keyring: Keyring): PublicConnection {
  // Whether a password is set is the only thing the browser learns about the secrets.
  let hasPassword = false;
  if (Object.hasOwn(secretFields, row.type) && secretFields[row.type as ConnectionType].includes('password')) {
    try {
      hasPassword = (openSecrets(keyring, row.id, sealedOf(row)).password ?? '') !== '';
    } catch {
      hasPassword = false;
    }
  }
  return { id: row.id, name: row.name, type: row.type as ConnectionType, settings: storedSettings(row), hasPassword, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

/** Prisma reports a unique violation as P2002, or through a driver adapter as its cause. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { kind?: string; code?: string; originalCode?: string } } | null;
  return e?.code === 'P2002' || e?.cause?.kind === 'UniqueConstraintViolation' || e?.cause?.code === '23505' || e?.cause?.originalCode === '23505';
}

function uniqueName(error: unknown, name: string): never {
  if (isUniqueViolation(error)) throw new AppError('CONFLICT', `A connection named "${name}" already exists in this workspace`);
  throw error;
}

export async function listConnections(db: Prisma, keyring: Keyring, workspaceId: string): Promise<PublicConnection[]> {
  const rows = await db.connection.findMany({ where: { workspaceId }, orderBy: { name: 'asc' }, select: storedSelect });
  return rows.map((row) => publicConnection(row, keyring));
}

async function findStored(db: Prisma, workspaceId: string, id: string): Promise<StoredConnection> {
  // Scoped by workspace: another workspace's id is simply not found.
  const row = await db.connection.findFirst({ where: { id, workspaceId }, select: storedSelect });
  if (!row) throw new AppError('NOT_FOUND', 'Connection not found');
  return row;
}

export async function getConnection(db: Prisma, keyring: Keyring, workspaceId: string, id: string): Promise<PublicConnection> {
  return publicConnection(await findStored(db, workspaceId, id), keyring);
}

/** The connection's full settings, for connectors. Never send the result to a browser. */
export async function connectionSettings(db: Prisma, keyring: Keyring, workspaceId: string, id: string): Promise<ConnectionSettings> {
  return decryptedSettings(keyring, await findStored(db, workspaceId, id));
}

export async function createConnection(db: Prisma, keyring: Keyring, input: { workspaceId: string; userId: string; name: string; settings: ConnectionSettings }): Promise<PublicConnection> {
  // The id is chosen here because the sealed secrets are bound to it.
  const id = randomUUID();
  const { open, secrets } = splitSecrets(input.settings);
  const sealed = sealSecrets(keyring, id, secrets);
  try {
    const row = await db.connection.create({
      data: {
        id,
        workspaceId: input.workspaceId,
        name: input.name,
        type: input.settings.type,
        settings: open as PrismaNamespace.InputJsonValue,
        secretCiphertext: sealed.ciphertext,
        secretIv: sealed.iv,
        secretTag: sealed.tag,
        secretKeyId: sealed.keyId,
        createdById: input.userId,
      },
      select: storedSelect,
    });
    return publicConnection(row, keyring);
  } catch (error) {
    uniqueName(error, input.name);
  }
}

/**
 * Settings as the form sent them, with an empty password meaning "keep the
 * stored one" — unless the form points the connection somewhere else (host,
 * port, user or type changed), where the stored password must not follow
 * unasked: the user has to enter it again.
 */
export function mergeKeptSecrets(stored: ConnectionSettings, incoming: ConnectionSettings): ConnectionSettings {
  if (incoming.type === 'sqlite' || stored.type === 'sqlite' || incoming.password !== '') return incoming;
  if (stored.type !== incoming.type || stored.host !== incoming.host || stored.port !== incoming.port || stored.user !== incoming.user) {
    if (stored.password === '') return incoming;
    throw new AppError('BAD_INPUT', 'You changed the type, host, port or user of this connection: enter its password again', { field: 'password' });
  }
  return { ...incoming, password: stored.password };
}

export async function updateConnection(
  db: Prisma,
  keyring: Keyring,
  input: { workspaceId: string; id: string; name: string; settings: ConnectionSettings },
): Promise<PublicConnection> {
  const row = await findStored(db, input.workspaceId, input.id);
  let stored: ConnectionSettings | undefined;
  try {
    stored = decryptedSettings(keyring, row);
  } catch (error) {
    // Secrets sealed with a lost key: entering the password again is the way out.
    if (!(error instanceof AppError && error.code === 'SECRETS_UNAVAILABLE')) throw error;
    if (input.settings.type !== 'sqlite' && input.settings.password === '') throw error;
  }
  const settings = stored ? mergeKeptSecrets(stored, input.settings) : input.settings;
  const { open, secrets } = splitSecrets(settings);
  const sealed = sealSecrets(keyring, row.id, secrets);
  try {
    const updated = await db.connection.update({
      where: { id: row.id },
      data: {
        name: input.name,
        type: settings.type,
        settings: open as PrismaNamespace.InputJsonValue,
        secretCiphertext: sealed.ciphertext,
        secretIv: sealed.iv,
        secretTag: sealed.tag,
        secretKeyId: sealed.keyId,
      },
      select: storedSelect,
    });
    return publicConnection(updated, keyring);
  } catch (error) {
    uniqueName(error, input.name);
  }
}

export async function deleteConnection(db: Prisma, workspaceId: string, id: string): Promise<void> {
  const { count } = await db.connection.deleteMany({ where: { id, workspaceId } });
  if (count === 0) throw new AppError('NOT_FOUND', 'Connection not found');
}

/**
 * Re-seals every connection's secrets with the keyring's current key (after
 * SLUICE_SECRET_KEY changed and the old key moved to SLUICE_SECRET_KEY_PREVIOUS).
 * Returns how many rows changed; rows already on the current key are skipped.
 */
export async function rotateConnectionSecrets(db: Prisma, keyring: Keyring): Promise<{ rotated: number; current: number }> {
  const rows = await db.connection.findMany({ select: storedSelect });
  let rotated = 0;
  for (const row of rows) {
    if (row.secretKeyId === keyring.current.id) continue;
    const secrets = openSecrets(keyring, row.id, sealedOf(row));
    const sealed = sealSecrets(keyring, row.id, secrets);
    // Conditional on the old key id, so a concurrent edit (already on the new key) is not overwritten.
    const { count } = await db.connection.updateMany({
      where: { id: row.id, secretKeyId: row.secretKeyId },
      data: { secretCiphertext: sealed.ciphertext, secretIv: sealed.iv, secretTag: sealed.tag, secretKeyId: sealed.keyId },
    });
    rotated += count;
  }
  return { rotated, current: rows.length - rotated };
}
