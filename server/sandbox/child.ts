// The sandbox child process, started by pool.ts through entry.mjs with an empty
// environment, Node's permission model and OS limits. It loads QuickJS, receives
// the user's code once (`init`) and then one `run` message per batch, and answers
// each with one `result` or `error` message. After any error it exits, so a
// QuickJS runtime that was interrupted, ran out of memory or overflowed its stack
// is never reused; the parent starts a fresh child for the next batch.
//
// Loaded through Node's type stripping: erasable TypeScript only.
import { readParentMessage } from './guards';
import type { ChildMessage, SandboxErrorCode } from './protocol';
import { loadQuickJs, TransformRunner, wasmMemoryFor, type BatchOutcome } from './quickjs';

let runner: TransformRunner | undefined;

function send(message: ChildMessage, then?: () => void): void {
  if (!process.send) process.exit(70); // started without an IPC channel: nothing to serve
  process.send(message, undefined, undefined, (error: Error | null) => {
    if (error) process.exit(71);
    then?.();
  });
}

function failAndExit(id: number | null, failure: Extract<BatchOutcome, { ok: false }>): void {
  const { code, message, line, logs } = failure;
  send({ type: 'error', id, code, message, logs, ...(line === undefined ? {} : { line }) }, () => process.exit(0));
}

function crash(id: number | null, code: SandboxErrorCode, message: string): void {
  failAndExit(id, { ok: false, code, message, logs: [] });
}

async function handle(raw: unknown): Promise<void> {
  const message = readParentMessage(raw);
  if (!message) {
    crash(null, 'JS_SANDBOX_CRASHED', 'The sandbox received a malformed message.');
    return;
  }

  if (message.type === 'init') {
    if (runner) {
      crash(null, 'JS_SANDBOX_CRASHED', 'The sandbox was initialised twice.');
      return;
    }
    const memory = wasmMemoryFor(message.limits.memoryMb);
    runner = new TransformRunner(await loadQuickJs(memory), memory, message.code, message.limits);
    const checked = runner.check();
    if (checked.ok) send({ type: 'ready' });
    else failAndExit(null, checked);
    return;
  }

  if (!runner) {
    crash(message.id, 'JS_SANDBOX_CRASHED', 'The sandbox received a batch before its code.');
    return;
  }
  const outcome = runner.run(message.rowsJson);
  if (outcome.ok) {
    send({ type: 'result', id: message.id, rowsJson: outcome.rowsJson, logs: outcome.logs });
  } else {
    failAndExit(message.id, outcome);
  }
}

// The parent went away (even by SIGKILL): the IPC channel closes and so do we.
process.on('disconnect', () => process.exit(0));
process.on('message', (raw: unknown) => {
  handle(raw).catch((error: unknown) => {
    crash(null, 'JS_SANDBOX_CRASHED', `The sandbox failed: ${error instanceof Error ? error.message : String(error)}`);
  });
});
