import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '../env';
import { generateSecretKey, loadKeyring, openSecrets, sealSecrets, secretKeyFrom, type Keyring } from './secrets';

const keyring = (): Keyring => ({ current: secretKeyFrom(generateSecretKey()) });
const connectionA = '6f1c1f5e-0b7a-4a53-9a53-0d2c9a1b0a01';
const connectionB = '6f1c1f5e-0b7a-4a53-9a53-0d2c9a1b0a02';

describe('sealing connection secrets', () => {
  it('opens what it sealed, and the ciphertext does not contain the secret', () => {
    const ring = keyring();
    const sealed = sealSecrets(ring, connectionA, { password: 'hunter2-é-密码' });
    expect(openSecrets(ring, connectionA, sealed)).toEqual({ password: 'hunter2-é-密码' });
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('latin1')).not.toContain('hunter2');
    expect(sealed.keyId).toBe(ring.current.id);
  });

  it('uses a fresh IV every time, so equal passwords do not look equal', () => {
    const ring = keyring();
    const a = sealSecrets(ring, connectionA, { password: 'same' });
    const b = sealSecrets(ring, connectionA, { password: 'same' });
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('refuses a ciphertext moved to another connection (the id is associated data)', () => {
    const ring = keyring();
    const sealed = sealSecrets(ring, connectionA, { password: 'for-a-only' });
    expect(() => openSecrets(ring, connectionB, sealed)).toThrow(/cannot be decrypted/);
  });

  it('refuses a tampered ciphertext or tag', () => {
    const ring = keyring();
    const sealed = sealSecrets(ring, connectionA, { password: 'secret' });
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(() => openSecrets(ring, connectionA, { ...sealed, ciphertext: bytes.toString('base64') })).toThrow(/cannot be decrypted/);
    expect(() => openSecrets(ring, connectionA, { ...sealed, tag: Buffer.alloc(16).toString('base64') })).toThrow(/cannot be decrypted/);
  });

  it('opens secrets sealed with the previous key after a rotation, and names a missing key', () => {
    const old = keyring();
    const sealed = sealSecrets(old, connectionA, { password: 'before-rotation' });
    const rotated: Keyring = { current: secretKeyFrom(generateSecretKey()), previous: old.current };
    expect(openSecrets(rotated, connectionA, sealed)).toEqual({ password: 'before-rotation' });
    expect(() => openSecrets({ current: rotated.current }, connectionA, sealed)).toThrow(/SLUICE_SECRET_KEY_PREVIOUS/);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => secretKeyFrom(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => parseEnv({ SLUICE_SECRET_KEY: 'short' })).toThrow(/SLUICE_SECRET_KEY: must be 32 bytes/);
    expect(parseEnv({ SLUICE_SECRET_KEY: generateSecretKey() }).SLUICE_SECRET_KEY).toBeDefined();
  });
});

describe('loading the keyring', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('in embedded mode without a key, generates one into secret.key (0600) once and reuses it', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-keyring-'));
    const first = loadKeyring({ dataDir: dir });
    expect(first.generatedFile).toBe(path.join(dir, 'secret.key'));
    expect((await stat(path.join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(path.join(dir, 'secret.key'), 'utf8')).trim(), 'base64')).toHaveLength(32);
    const second = loadKeyring({ dataDir: dir });
    expect(second.generatedFile).toBeUndefined();
    expect(second.keyring.current.id).toBe(first.keyring.current.id);
  });

  it('prefers SLUICE_SECRET_KEY and takes the previous key for decryption', () => {
    const current = generateSecretKey();
    const previous = generateSecretKey();
    const { keyring: ring } = loadKeyring({ dataDir: '/nonexistent', SLUICE_SECRET_KEY: current, SLUICE_SECRET_KEY_PREVIOUS: previous });
    expect(ring.current.id).toBe(secretKeyFrom(current).id);
    expect(ring.previous?.id).toBe(secretKeyFrom(previous).id);
  });

  it('with a shared PostgreSQL, demands an explicit key instead of inventing one per process', () => {
    expect(() => loadKeyring({ dataDir: '/nonexistent', DATABASE_URL: 'postgresql://x/y' })).toThrow(/SLUICE_SECRET_KEY is not set/);
  });
});
