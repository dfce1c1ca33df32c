// Embedded mode: when REDIS_URL is unset, run a private redis-server as a child
// process, with its data in the Sluice data folder. Also: how long-lived Redis
// clients report losing their connection.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';

export const REDIS_INSTALL_HINT =
  'Sluice needs Redis. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) ' +
  'so `npm start` can run a private one, or point REDIS_URL at a running server (REDIS_URL=redis://127.0.0.1:6379).';

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

export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedRedis(dataDir: string): Promise<EmbeddedRedis> {
  const dir = path.join(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--protected-mode', 'yes', '--logfile', path.join(dir, 'redis.log')],
    { stdio: 'ignore' },
  );
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code === 'ENOENT' ? REDIS_INSTALL_HINT : `redis-server failed to start: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code ?? '?'}; see ${path.join(dir, 'redis.log')}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined); // refused connections are expected until the server is up
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        probe.disconnect();
      }
    }
    throw new Error('redis-server did not answer within 10 s');
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => undefined);
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/**
 * Logs a long-lived client's lost connection once per outage, and its return,
 * instead of an unhandled 'error' event (with a stack) per reconnect attempt.
 * ioredis reconnects by itself; commands meanwhile wait or fail as the client's
 * maxRetriesPerRequest says.
 */
export function reportConnectionLoss(client: Redis, name: string): void {
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    console.warn(`[${name}] lost the connection to Redis (${error.message}); reconnecting`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    console.log(`[${name}] connected to Redis again`);
  });
}
