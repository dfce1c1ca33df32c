// `npm run worker` as a real child process, for tests of standalone workers.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output: () => string;
  /** Resolves once the worker takes jobs; rejects if it exits first. */
  ready: Promise<void>;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  // tsx as a loader, not its CLI: the CLI runs the script in a second process, which a SIGKILL would orphan.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'workers/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('is processing runs')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`worker exited with ${code ?? '?'}:\n${output}`)));
  });
  return { child, output: () => output, ready, exited };
}
