// Source connectors by connection type.
import type { ConnectionSettings, ConnectionType } from './connection';
import { mysqlSource } from './mysql/source';
import { postgresSource } from './postgres/source';
import type { SourceConnector } from './source';
import { sqliteSource } from './sqlite/source';

export const sourceConnectors: { [T in ConnectionType]: SourceConnector<Extract<ConnectionSettings, { type: T }>> } = {
  postgres: postgresSource,
  mysql: mysqlSource,
  sqlite: sqliteSource,
};

/** The connector for `settings`, typed to match it. */
export function sourceConnectorFor(settings: ConnectionSettings): SourceConnector<ConnectionSettings> {
  return sourceConnectors[settings.type];
}
