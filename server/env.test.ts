import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';

describe('parseEnv', () => {
  it('fills in the embedded defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, SLUICE_QUEUE_PREFIX: 'sluice', SLUICE_WORKER_CONCURRENCY: 2 });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.dataDir).toBe(path.resolve('.sluice'));
  });

  it('treats empty variables as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', REDIS_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable and what is wrong with it', () => {
    expect(() => parseEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SLUICE_EMBEDDED_WORKER: 'maybe' })).toThrow(
      /PORT: .*\n.*DATABASE_URL: must be a postgresql:\/\/ URL\n.*SLUICE_EMBEDDED_WORKER/,
    );
  });

  it('reads allowed server folders with their aliases', () => {
    expect(parseEnv({}).SLUICE_ALLOWED_DIRS).toEqual({});
    expect(parseEnv({ SLUICE_ALLOWED_DIRS: '/srv/Shared:exports=/mnt/data/out/' }).SLUICE_ALLOWED_DIRS).toEqual({ shared: '/srv/Shared', exports: '/mnt/data/out' });
  });

  it.each([
    ['a relative folder', 'data/in', /not an absolute folder path/],
    ['the root', 'root=/', /not an absolute folder path/],
    ['an alias twice', '/a/x:/b/x', /alias "x" is used twice|"x" is not a usable alias/],
    ['an unusable alias', 'Big Alias=/srv/x', /not a usable alias/],
  ])('refuses %s in SLUICE_ALLOWED_DIRS', (_what, value, message) => {
    expect(() => parseEnv({ SLUICE_ALLOWED_DIRS: value })).toThrow(message);
  });
});

describe('SLUICE_HTTP_ALLOW_PRIVATE', () => {
  it('accepts address ranges, addresses and host names, and names an entry it cannot read', () => {
    expect(parseEnv({ SLUICE_HTTP_ALLOW_PRIVATE: '10.0.0.0/8, ::1, api.internal' }).SLUICE_HTTP_ALLOW_PRIVATE).toBe('10.0.0.0/8, ::1, api.internal');
    expect(() => parseEnv({ SLUICE_HTTP_ALLOW_PRIVATE: '10.0.0.0/99' })).toThrow(/SLUICE_HTTP_ALLOW_PRIVATE: "10\.0\.0\.0\/99" is neither an address range/);
  });
});
