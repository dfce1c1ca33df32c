// Parent side of the JavaScript sandbox: runs a user's `transform(rows)` over
// batches of rows in a disposable child process (see README.md for the model).
//
//   const sandbox = createJsSandbox({ code, timeoutMs: 5_000, memoryMb: 128, recycleAfterBatches: 100 });
//   try { out = await sandbox.runBatch(rows); } finally { await sandbox.close(); }
//
// One process serves one sandbox, one batch at a time (calls queue). It is
// started on the first batch, replaced after `recycleAfterBatches` batches and
// after any failure, and killed by the parent when a batch overruns its budget.
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { SandboxError } from './errors';
import { batchFitsMemory, batchTooLargeMessage } from './guards';
import { launchCommand, type LaunchCommand, type OsLimits } from './launch';
import {
  ChildMessageSchema,
  type ChildLimits,
  type ChildMessage,
  type ErrorMessage,
  type LogLine,
  type ParentMessage,
  type ResultMessage,
} from './protocol';

export type Row = Record<string, unknown>;

const OptionsSchema = z.object({
  /** Declares `function transform(rows)`, or is a single function expression. */
  code: z.string().max(1_000_000),
  /** Time budget of one batch, in QuickJS. */
  timeoutMs: z.number().int().min(1).max(600_000).default(5_000),
  /** Hard cap of the QuickJS heap: the batch's rows, the code's objects and strings. */
  memoryMb: z.number().int().min(16).max(2048).default(128),
  /** The process is replaced after this many batches. */
  recycleAfterBatches: z.number().int().min(1).max(1_000_000).default(100),
  /** How long past the budget the parent waits before it SIGKILLs the process. */
  killGraceMs: z.number().int().min(0).max(60_000).default(1_000),
  /** Console lines kept per batch, and characters per line. */
  maxLogLines: z.number().int().min(0).max(10_000).default(100),
  maxLogLineChars: z.number().int().min(1).max(100_000).default(1_000),
});

export type JsSandboxOptions = z.input<typeof OptionsSchema> & {
  /** Console output of each successful batch. A failed batch carries its output in `SandboxError.details.logs`. */
  onLog?: (line: LogLine) => void;
};

export interface JsSandboxStatus {
  /** Process id of the current child, if one is running. */
  pid: number | undefined;
  /** Children started so far (the first, plus one per recycle or failure). */
  processesStarted: number;
  /** Batches the current child has completed. */
  batchesOnProcess: number;
  /** RLIMIT_AS of the children, or undefined where prlimit is unavailable. */
  addressSpaceMb: number | undefined;
  closed: boolean;
}

export interface JsSandbox {
  /** Runs `transform` over one batch. Rejects with a SandboxError; the sandbox stays usable. */
  runBatch(rows: readonly Row[]): Promise<Row[]>;
  /** Kills the child. A batch still running rejects with JS_SANDBOX_CRASHED. */
  close(): Promise<void>;
  status(): JsSandboxStatus;
}

/** Time to start Node, load QuickJS and check the code, beyond the code's own budget. */
const STARTUP_MS = 15_000;
const STDERR_TAIL_CHARS = 4_000;
/** QuickJS's stack limit: deep recursion throws "stack overflow" well before the host's stack ends. */
const QUICKJS_STACK_BYTES = 256 * 1024;

export function createJsSandbox(options: JsSandboxOptions): JsSandbox {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new TypeError(`Invalid JavaScript sandbox options: ${z.prettifyError(parsed.error)}`);
  return new Sandbox(parsed.data, options.onLog);
}

type Settings = z.infer<typeof OptionsSchema>;

class Sandbox implements JsSandbox {
  private readonly settings: Settings;
  private readonly onLog: ((line: LogLine) => void) | undefined;
  private readonly childLimits: ChildLimits;
  private readonly launch: LaunchCommand;
  private current: SandboxProcess | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;
  private started = 0;
  private closed = false;

  constructor(settings: Settings, onLog: ((line: LogLine) => void) | undefined) {
    this.settings = settings;
    this.onLog = onLog;
    this.childLimits = {
      timeoutMs: settings.timeoutMs,
      memoryMb: settings.memoryMb,
      maxStackBytes: QUICKJS_STACK_BYTES,
      maxLogLines: settings.maxLogLines,
      maxLogLineChars: settings.maxLogLineChars,
    };
    const osLimits: OsLimits = {
      memoryMb: settings.memoryMb,
      // JSON text in, JSON text out (at most about the QuickJS heap), IPC copies.
      hostHeapMb: 64 + 2 * settings.memoryMb,
      cpuSeconds: Math.ceil((2 * settings.recycleAfterBatches * (settings.timeoutMs + settings.killGraceMs) + STARTUP_MS) / 1000) + 60,
    };
    this.launch = launchCommand(osLimits);
  }

  runBatch(rows: readonly Row[]): Promise<Row[]> {
    const run = this.queue.then(() => this.execute(rows));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    const current = this.current;
    this.current = undefined;
    await current?.kill('closed');
  }

  status(): JsSandboxStatus {
    return {
      pid: this.current?.pid,
      processesStarted: this.started,
      batchesOnProcess: this.current?.batches ?? 0,
      addressSpaceMb: this.launch.addressSpaceMb,
      closed: this.closed,
    };
  }

  private async execute(rows: readonly Row[]): Promise<Row[]> {
    if (this.closed) throw new SandboxError('JS_SANDBOX_CRASHED', 'The JavaScript sandbox has been closed.');
    const rowsJson = encodeRows(rows);
    const bytes = Buffer.byteLength(rowsJson);
    if (!batchFitsMemory(bytes, this.settings.memoryMb)) {
      throw new SandboxError('JS_MEMORY_LIMIT', batchTooLargeMessage(bytes, this.settings.memoryMb));
    }
    const child = await this.ready();
    const id = ++this.nextId;
    let reply: ChildMessage;
    try {
      reply = await child.request({ type: 'run', id, rowsJson }, { killAfterMs: this.settings.timeoutMs + this.settings.killGraceMs, timeoutMs: this.settings.timeoutMs });
    } catch (error) {
      this.retire(child);
      throw error;
    }
    if (reply.type !== 'result' || reply.id !== id) {
      this.retire(child);
      throw reply.type === 'error' ? fromErrorMessage(reply) : protocolError(reply);
    }
    let output: Row[];
    try {
      output = decodeRows(reply);
    } catch (error) {
      this.retire(child);
      throw error;
    }
    child.batches++;
    if (child.batches >= this.settings.recycleAfterBatches) this.retire(child);
    if (this.onLog) for (const line of reply.logs) this.onLog(line);
    return output;
  }

  /** The running child, or a new one that has loaded QuickJS and checked the code. */
  private async ready(): Promise<SandboxProcess> {
    if (this.current?.usable) return this.current;
    const child = new SandboxProcess(this.launch);
    this.current = child;
    this.started++;
    let reply: ChildMessage;
    try {
      const killAfterMs = STARTUP_MS + this.settings.timeoutMs + this.settings.killGraceMs;
      reply = await child.request({ type: 'init', code: this.settings.code, limits: this.childLimits }, { killAfterMs, timeoutMs: undefined });
    } catch (error) {
      this.retire(child);
      throw error;
    }
    if (reply.type !== 'ready') {
      this.retire(child);
      throw reply.type === 'error' ? fromErrorMessage(reply) : protocolError(reply);
    }
    if (this.closed) {
      this.retire(child);
      throw new SandboxError('JS_SANDBOX_CRASHED', 'The JavaScript sandbox has been closed.');
    }
    return child;
  }

  private retire(child: SandboxProcess): void {
    if (this.current === child) this.current = undefined;
    void child.kill('retired');
  }
}

// ---------------------------------------------------------------------------

type KillReason = 'timeout' | 'retired' | 'closed';

/**
 * Nothing of the parent's environment reaches the child: no secrets, no
 * NODE_OPTIONS. (Next's types declare NODE_ENV as always present, hence the cast;
 * Node itself adds only NODE_CHANNEL_FD and NODE_CHANNEL_SERIALIZATION_MODE.)
 */
const EMPTY_ENV = {} as NodeJS.ProcessEnv;

/** All live children, killed if the parent exits while they run. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
}

interface Pending {
  resolve: (message: ChildMessage) => void;
  reject: (error: SandboxError) => void;
  timer: NodeJS.Timeout;
  /** The batch's time limit as the user set it; undefined while the process starts. */
  timeoutMs: number | undefined;
  killAfterMs: number;
}

/** One child process and its single in-flight request. */
class SandboxProcess {
  readonly pid: number | undefined;
  batches = 0;
  private readonly child: ChildProcess;
  private readonly closed: Promise<void>;
  private pending: Pending | undefined;
  private stderrTail = '';
  private killedFor: KillReason | undefined;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(launch: LaunchCommand) {
    this.child = spawn(launch.command, launch.args, {
      env: EMPTY_ENV,
      cwd: path.parse(process.cwd()).root,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      windowsHide: true,
    });
    this.pid = this.child.pid;
    trackChild(this.child);
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    this.child.on('message', (raw: unknown) => {
      this.onMessage(raw);
    });
    this.child.on('error', (error) => {
      this.fail(new SandboxError('JS_SANDBOX_CRASHED', `The JavaScript sandbox process could not be started or reached: ${error.message}`, {}, { cause: error }));
    });
    this.closed = new Promise((resolve) => {
      // 'close' comes after 'exit' and after stderr has been read to its end.
      this.child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.exitInfo = { code, signal };
        liveChildren.delete(this.child);
        this.fail(this.crashError());
        resolve();
      });
    });
    this.setRef(false);
  }

  get usable(): boolean {
    return this.killedFor === undefined && this.exitInfo === undefined;
  }

  /** Sends one message and waits for the child's answer, killing the child after `killAfterMs`. */
  request(message: ParentMessage, budget: { killAfterMs: number; timeoutMs: number | undefined }): Promise<ChildMessage> {
    if (this.pending) return Promise.reject(new SandboxError('JS_SANDBOX_CRASHED', 'The JavaScript sandbox is busy.'));
    if (!this.usable) return Promise.reject(this.crashError());
    return new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.kill('timeout');
        this.fail(this.crashError());
      }, budget.killAfterMs);
      this.pending = { resolve, reject, timer, ...budget };
      this.setRef(true);
      this.child.send(message, (error) => {
        if (error) this.fail(new SandboxError('JS_SANDBOX_CRASHED', `The JavaScript sandbox process could not be reached: ${error.message}`, {}, { cause: error }));
      });
    });
  }

  /** SIGKILLs the child (it holds no state worth a graceful stop) and waits until it is gone. */
  kill(reason: KillReason): Promise<void> {
    if (this.exitInfo === undefined) {
      this.killedFor ??= reason;
      this.setRef(true); // keep the parent alive until the child is gone
      this.child.kill('SIGKILL');
    }
    return this.closed;
  }

  private onMessage(raw: unknown): void {
    const parsed = ChildMessageSchema.safeParse(raw);
    const pending = this.pending;
    if (!pending) return; // a late answer after a timeout: the process is being killed
    if (!parsed.success) {
      void this.kill('retired');
      this.fail(new SandboxError('JS_SANDBOX_CRASHED', 'The JavaScript sandbox sent a malformed message.'));
      return;
    }
    this.settle();
    pending.resolve(parsed.data);
  }

  private fail(error: SandboxError): void {
    const pending = this.pending;
    if (!pending) return;
    this.settle();
    pending.reject(error);
  }

  private settle(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
    this.setRef(false);
  }

  /** An idle child must not keep the parent's event loop alive. */
  private setRef(on: boolean): void {
    const stderr = this.child.stderr instanceof Socket ? this.child.stderr : undefined;
    for (const handle of [this.child, this.child.channel, stderr]) {
      if (on) handle?.ref();
      else handle?.unref();
    }
  }

  private crashError(): SandboxError {
    const pending = this.pending;
    const { code, signal } = this.exitInfo ?? { code: null, signal: null };
    const diagnostics = `exit code ${String(code)}, signal ${String(signal)}${this.stderrTail ? `, stderr: ${this.stderrTail.trim()}` : ''}`;
    if (this.killedFor === 'timeout') {
      return pending?.timeoutMs === undefined
        ? new SandboxError('JS_SANDBOX_CRASHED', `The JavaScript sandbox did not start within ${String(pending?.killAfterMs)} ms.`, { diagnostics })
        : new SandboxError('JS_TIMEOUT', `The transform did not finish within its time limit of ${pending.timeoutMs} ms, so its sandbox process was killed.`, { diagnostics });
    }
    if (this.killedFor === 'closed') {
      return new SandboxError('JS_SANDBOX_CRASHED', 'The JavaScript sandbox was closed while a batch was running.', { diagnostics });
    }
    if (signal === 'SIGXCPU') {
      return new SandboxError('JS_TIMEOUT', 'The JavaScript sandbox process used up its CPU time limit and was stopped.', { diagnostics });
    }
    if (/heap limit|allocation failed|out of memory|could not allocate|cannot allocate|bad_alloc/i.test(this.stderrTail)) {
      return new SandboxError('JS_MEMORY_LIMIT', 'The JavaScript sandbox process ran out of memory and was stopped.', { diagnostics });
    }
    return new SandboxError('JS_SANDBOX_CRASHED', `The JavaScript sandbox process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${String(code)}`}).`, { diagnostics });
  }
}

// ---------------------------------------------------------------------------

/** Rows as JSON text; BigInts (e.g. from DuckDB) become numbers when exact, strings otherwise. */
function encodeRows(rows: readonly Row[]): string {
  if (!Array.isArray(rows)) throw new TypeError('runBatch expects an array of row objects.');
  return JSON.stringify(rows, (_key, value: unknown) => {
    if (typeof value !== 'bigint') return value;
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  });
}

function decodeRows(reply: ResultMessage): Row[] {
  let value: unknown;
  try {
    value = JSON.parse(reply.rowsJson);
  } catch {
    throw new SandboxError('JS_INVALID_OUTPUT', 'transform returned rows that are not valid JSON.', { logs: reply.logs });
  }
  if (!Array.isArray(value)) {
    throw new SandboxError('JS_INVALID_OUTPUT', `transform must return an array of row objects, but it returned ${describeValue(value)}.`, { logs: reply.logs });
  }
  const rows: unknown[] = value;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new SandboxError('JS_INVALID_OUTPUT', `transform must return an array of row objects, but row ${i} is ${describeValue(row)}.`, { logs: reply.logs });
    }
  }
  return rows as Row[];
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function fromErrorMessage(message: ErrorMessage): SandboxError {
  return new SandboxError(message.code, message.message, {
    logs: message.logs,
    ...(message.line === undefined ? {} : { line: message.line }),
  });
}

function protocolError(message: ChildMessage): SandboxError {
  return new SandboxError('JS_SANDBOX_CRASHED', `The JavaScript sandbox answered out of turn (${message.type}).`);
}
