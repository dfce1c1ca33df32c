import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_INSTALL_HINT, startEmbeddedRedis } from './redis';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-redis-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('startEmbeddedRedis', () => {
  it('starts a private redis-server that answers, and stops it', async () => {
    const redis = await startEmbeddedRedis(await tempDir());
    const client = new Redis(redis.url);
    expect(await client.set('k', 'v')).toBe('OK');
    expect(await client.get('k')).toBe('v');
    client.disconnect();
    await redis.stop();
    const after = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    after.on('error', () => undefined);
    await expect(after.connect()).rejects.toThrow();
  });

  it('says how to install Redis when redis-server is missing', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startEmbeddedRedis(await tempDir())).rejects.toThrow(REDIS_INSTALL_HINT);
    } finally {
      process.env.PATH = saved;
    }
  });
});
