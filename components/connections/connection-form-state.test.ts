import { describe, expect, it } from 'vitest';
import { changeType, emptyForm, formFromConnection, settingsFromForm, whereItPoints } from './connection-form-state';

describe('connection form state', () => {
  it('turns the form into settings the server validates, trimming names and keeping the password as typed', () => {
    const form = { ...emptyForm('postgres'), name: 'DB', host: ' db.local ', database: 'shop', user: 'etl ', password: ' secret ' };
    expect(settingsFromForm(form)).toEqual({ type: 'postgres', host: 'db.local', port: 5432, database: 'shop', user: 'etl', password: ' secret ', ssl: 'disable' });
    expect(settingsFromForm({ ...emptyForm('sqlite'), path: ' data/app.db ' })).toEqual({ type: 'sqlite', path: 'data/app.db' });
  });

  it('never fills the password when editing a stored connection', () => {
    const form = formFromConnection({ name: 'W', type: 'mysql', settings: { type: 'mysql', host: 'h', port: 3307, database: 'd', user: 'u', ssl: 'require', password: 'leaked?' } });
    expect(form).toMatchObject({ name: 'W', type: 'mysql', host: 'h', port: '3307', database: 'd', user: 'u', ssl: 'require', password: '' });
    expect(whereItPoints(form)).toBe('u@h:3307/d');
  });

  it('moves the port to the new type’s default only when it was the old default', () => {
    expect(changeType(emptyForm('postgres'), 'mysql').port).toBe('3306');
    expect(changeType({ ...emptyForm('postgres'), port: '6543' }, 'mysql').port).toBe('6543');
  });
});
