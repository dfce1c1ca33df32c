// The connection form's state and how it becomes ConnectionSettings: pure, so
// it is tested without a browser.
import type { ConnectionSettings, ConnectionType } from '@/server/connectors/connection';

export interface ConnectionFormState {
  name: string;
  type: ConnectionType;
  host: string;
  port: string;
  database: string;
  user: string;
  /** Write-only: empty on edit means "keep the stored password". */
  password: string;
  ssl: 'disable' | 'require' | 'verify-full';
  path: string;
}

export const defaultPorts: Record<Exclude<ConnectionType, 'sqlite'>, number> = { postgres: 5432, mysql: 3306 };

export function emptyForm(type: ConnectionType = 'postgres'): ConnectionFormState {
  return { name: '', type, host: 'localhost', port: type === 'sqlite' ? '' : String(defaultPorts[type]), database: '', user: '', password: '', ssl: 'disable', path: '' };
}

/** The form for editing a stored connection; its password is never known here. */
export function formFromConnection(c: { name: string; type: ConnectionType; settings: Record<string, unknown> }): ConnectionFormState {
  const text = (key: string) => {
    const v = c.settings[key];
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
  };
  const ssl = text('ssl');
  return {
    ...emptyForm(c.type),
    name: c.name,
    host: text('host'),
    port: text('port'),
    database: text('database'),
    user: text('user'),
    ssl: ssl === 'require' || ssl === 'verify-full' ? ssl : 'disable',
    path: text('path'),
  };
}

/** Switching type resets the port to the new type's default when it was the old default. */
export function changeType(form: ConnectionFormState, type: ConnectionType): ConnectionFormState {
  const wasDefault = form.type !== 'sqlite' && form.port === String(defaultPorts[form.type]);
  return { ...form, type, port: type === 'sqlite' ? form.port : wasDefault || form.port === '' ? String(defaultPorts[type]) : form.port };
}

export function settingsFromForm(form: ConnectionFormState): ConnectionSettings {
  if (form.type === 'sqlite') return { type: 'sqlite', path: form.path.trim() };
  return {
    type: form.type,
    host: form.host.trim(),
    port: Number(form.port),
    database: form.database.trim(),
    user: form.user.trim(),
    password: form.password,
    ssl: form.ssl,
  };
}

/** One line saying where a connection points, e.g. "etl@db.local:5432/shop". */
export function whereItPoints(form: ConnectionFormState): string {
  return form.type === 'sqlite' ? form.path : `${form.user}@${form.host}:${form.port}/${form.database}`;
}
