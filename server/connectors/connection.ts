// What a stored connection resolves to at run time: the settings a connector
// needs to reach a database, secrets included. Server-only; these values never
// go back to the browser (the connection router returns them without secrets).
import { z } from 'zod';

const NetworkSettings = {
  host: z.string().min(1, 'Enter the host name'),
  port: z.number().int().min(1).max(65535),
  database: z.string().min(1, 'Enter the database name'),
  user: z.string().min(1, 'Enter the user name'),
  password: z.string().default(''),
};

export const PostgresSettings = z.object({
  type: z.literal('postgres'),
  ...NetworkSettings,
  port: NetworkSettings.port.default(5432),
  /** disable: plain TCP; require: TLS without verifying the certificate; verify-full: TLS, verified. */
  ssl: z.enum(['disable', 'require', 'verify-full']).default('disable'),
});

export const MysqlSettings = z.object({
  type: z.literal('mysql'),
  ...NetworkSettings,
  port: NetworkSettings.port.default(3306),
  ssl: z.enum(['disable', 'require', 'verify-full']).default('disable'),
});

export const SqliteSettings = z.object({
  type: z.literal('sqlite'),
  /** Relative to the workspace files folder, confined like every other path. */
  path: z.string().min(1, 'Enter the database file path'),
});

export const ConnectionSettings = z.discriminatedUnion('type', [PostgresSettings, MysqlSettings, SqliteSettings]);
export type ConnectionSettings = z.infer<typeof ConnectionSettings>;
export type ConnectionType = ConnectionSettings['type'];

/** The fields of each type that are secret: encrypted at rest, never returned to the browser, never logged. */
export const secretFields: Record<ConnectionType, readonly string[]> = {
  postgres: ['password'],
  mysql: ['password'],
  sqlite: [],
};

/**
 * Resolves a node's connection id to its settings when a run needs them (the
 * worker decrypts them; tests pass settings directly). Throws an AppError with
 * code CONNECTION_NOT_FOUND naming the node when the id is unknown.
 */
export type ConnectionResolver = (connectionId: string, nodeId: string) => Promise<ConnectionSettings>;
