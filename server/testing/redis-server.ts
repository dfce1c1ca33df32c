// A private redis-server for tests that crash, restart or flush Redis, so they
// never disturb the shared one other suites use. No persistence: a restart
// loses everything, as a Redis without AOF or snapshots does.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { until } from './wait';

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILLs the server (a crash) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts the server again on the same port, empty; resolves once it answers PING. */
  start(): Promise<void>;
  /** FLUSHALL through a connection of its own. */
  flushAll(): Promise<void>;
  /** Stops the server for good and removes its folder. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function ping(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  probe.on('error', () => undefined); // refused connections are expected while the server starts
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    if (child) throw new Error('the private redis-server is already running');
    output = '';
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    c.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child = c;
    await until(`redis-server answers on port ${port}`, async () => {
      if (c.exitCode !== null) throw new Error(`redis-server exited with ${c.exitCode}:\n${output}`);
      return ping(url);
    }, 15_000, 50);
  };
  const kill = async () => {
    const c = child;
    if (!c) return;
    child = undefined;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await gone;
  };

  await start();
  return {
    url,
    port,
    kill,
    start,
    async flushAll() {
      const redis = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        await redis.flushall();
      } finally {
        redis.disconnect();
      }
    },
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
