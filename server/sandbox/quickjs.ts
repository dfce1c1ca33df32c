// Runs the user's transform over one batch inside QuickJS compiled to WebAssembly.
// Used only by the sandbox child (child.ts); nothing of Node is handed to QuickJS
// but a console whose output is collected here.
//
// Contract of the user's code (also in README.md):
//   function transform(rows) { return rows.map((row) => ({ ...row, total: row.qty * row.price })); }
// or a single function expression: `(rows) => rows.filter((row) => row.active)`.
// `rows` is an array of plain objects parsed from JSON; the result must be an array
// of plain objects (any length) or a promise of one. Every batch gets a fresh
// QuickJS context, so nothing the code stores survives from one batch to the next.
//
// Loaded through Node's type stripping: erasable TypeScript only.
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  RELEASE_SYNC,
  Scope,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten';
import { batchFitsMemory, batchTooLargeMessage } from './guards';
import type { ChildLimits, LogLevel, LogLine, SandboxErrorCode } from './protocol';

export type BatchOutcome =
  | { ok: true; rowsJson: string; logs: LogLine[] }
  | { ok: false; code: SandboxErrorCode; message: string; line?: number; logs: LogLine[] };

type Failure = Extract<BatchOutcome, { ok: false }>;

const USER_FILE = 'transform.js';
const WASM_PAGE = 64 * 1024;
/** Smallest heap the prebuilt QuickJS module accepts (its declared initial memory). */
const MIN_WASM_PAGES = 256;
/** Extra time to describe a thrown value after the budget ran out. */
const DESCRIBE_BUDGET_MS = 250;

// Trusted code run first in every fresh context, before the user's. It keeps its
// own references to the intrinsics it needs, so the user's code replacing
// JSON.stringify or Array.isArray affects only the user. `sink` is a closure
// variable: no user code can reach it except through console's methods.
const PRELUDE = String.raw`(function (sink, maxChars) {
  'use strict';
  const parse = JSON.parse, stringify = JSON.stringify, isArray = Array.isArray, toStr = String;
  const show = (value) => {
    try {
      if (typeof value === 'string') return value;
      const json = stringify(value);
      return json === undefined ? toStr(value) : json;
    } catch (_) {
      try { return toStr(value); } catch (_) { return '[unprintable]'; }
    }
  };
  const method = (level) => function () {
    let line = '';
    for (let i = 0; i < arguments.length && line.length <= maxChars; i++) line += (i ? ' ' : '') + show(arguments[i]);
    sink(level, line.length > maxChars ? line.slice(0, maxChars) + '…' : line);
  };
  globalThis.console = { log: method('log'), info: method('info'), warn: method('warn'), error: method('error'), debug: method('debug') };
  return {
    parse: (text) => parse(text),
    stringify: (value) => stringify(value),
    kind: (value) => (value === null ? 'null' : isArray(value) ? 'array' : typeof value),
    describe: (error) => {
      let name = 'Error', message = '', stack = '';
      try {
        if (error !== null && (typeof error === 'object' || typeof error === 'function')) {
          name = toStr(error.name);
          message = toStr(error.message);
          stack = typeof error.stack === 'string' ? error.stack : '';
        } else {
          name = 'Uncaught';
          message = show(error);
        }
      } catch (_) {
        message = message || '(the thrown value could not be read)';
      }
      return stringify([name, message.slice(0, 2000), stack.slice(0, 4000)]);
    },
  };
})`;

export function wasmMemoryFor(memoryMb: number): WebAssembly.Memory {
  const maximum = Math.max(MIN_WASM_PAGES, Math.floor((memoryMb * 1024 * 1024) / WASM_PAGE));
  return new WebAssembly.Memory({ initial: MIN_WASM_PAGES, maximum });
}

/**
 * Loads QuickJS with a heap that cannot grow past `memoryMb`. QuickJS's own
 * setMemoryLimit does not bound the total in the prebuilt WebAssembly builds
 * (allocations are counted as zero bytes there, quickjs-emscripten issue #271),
 * so the cap is the WebAssembly.Memory's maximum: once it is reached, malloc
 * fails and QuickJS throws "out of memory", whatever allocated.
 */
export async function loadQuickJs(memory: WebAssembly.Memory): Promise<QuickJSWASMModule> {
  return newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: memory }));
}

class LogCollector {
  readonly lines: LogLine[] = [];
  private dropped = 0;
  private readonly maxLines: number;

  constructor(maxLines: number) {
    this.maxLines = maxLines;
  }

  add(level: LogLevel, message: string): void {
    if (this.lines.length < this.maxLines) this.lines.push({ level, message });
    else this.dropped++;
  }

  finish(): LogLine[] {
    if (this.dropped > 0) this.lines.push({ level: 'warn', message: `… ${this.dropped} more log lines were dropped` });
    return this.lines;
  }
}

const LOG_LEVELS: ReadonlySet<string> = new Set<LogLevel>(['log', 'info', 'warn', 'error', 'debug']);

interface Harness {
  parse: QuickJSHandle;
  stringify: QuickJSHandle;
  kind: QuickJSHandle;
  describe: QuickJSHandle;
}

/** Thrown inside a batch to end it; caught by run(). */
class BatchFailure extends Error {
  readonly failure: Omit<Failure, 'logs'>;
  constructor(failure: Omit<Failure, 'logs'>) {
    super(failure.message);
    this.failure = failure;
  }
}

export class TransformRunner {
  private readonly runtime: QuickJSRuntime;
  private readonly code: string;
  private readonly limits: ChildLimits;
  private readonly memory: WebAssembly.Memory;
  private deadline = 0;

  constructor(module: QuickJSWASMModule, memory: WebAssembly.Memory, code: string, limits: ChildLimits) {
    this.code = code;
    this.limits = limits;
    this.memory = memory;
    this.runtime = module.newRuntime();
    // Refuses single allocations above the cap early; the WebAssembly.Memory bounds the total.
    this.runtime.setMemoryLimit(limits.memoryMb * 1024 * 1024);
    this.runtime.setMaxStackSize(limits.maxStackBytes);
    this.runtime.setInterruptHandler(() => Date.now() > this.deadline);
  }

  /** Compiles and runs the top level of the code once and checks that it defines `transform`. */
  check(): BatchOutcome {
    return this.withContext((ctx, harness, scope) => {
      this.locateTransform(ctx, harness, scope);
      return '[]';
    });
  }

  /** Runs `transform` over one batch given as a JSON array of rows. */
  run(rowsJson: string): BatchOutcome {
    const bytes = Buffer.byteLength(rowsJson);
    if (!batchFitsMemory(bytes, this.limits.memoryMb)) {
      return { ok: false, code: 'JS_MEMORY_LIMIT', message: batchTooLargeMessage(bytes, this.limits.memoryMb), logs: [] };
    }
    return this.withContext((ctx, harness, scope) => {
      const transform = this.locateTransform(ctx, harness, scope);
      const input = scope.manage(ctx.newString(rowsJson));
      // Only running out of memory or time can make parsing the parent's JSON fail.
      const rows = scope.manage(this.call(ctx, harness, harness.parse, [input], 'JS_SANDBOX_CRASHED'));
      let output = scope.manage(this.call(ctx, harness, transform, [rows], 'JS_RUNTIME_ERROR'));
      output = this.settle(ctx, harness, scope, output);

      const kind = ctx.getString(scope.manage(this.call(ctx, harness, harness.kind, [output], 'JS_INVALID_OUTPUT')));
      if (kind !== 'array') {
        throw new BatchFailure({
          ok: false,
          code: 'JS_INVALID_OUTPUT',
          message: `transform must return an array of row objects, but it returned ${kind === 'null' || kind === 'undefined' ? kind : `a value of type ${kind}`}.`,
        });
      }
      const json = scope.manage(this.call(ctx, harness, harness.stringify, [output], 'JS_INVALID_OUTPUT'));
      const text = ctx.getString(json);
      // JSON.stringify of an array is never empty: an empty string means the copy out of QuickJS failed.
      if (text === '') throw new BatchFailure(this.memoryFailure('the output rows'));
      return text;
    });
  }

  /** Creates a fresh context with the prelude, runs `body` within the time budget, disposes everything. */
  private withContext(body: (ctx: QuickJSContext, harness: Harness, scope: Scope) => string): BatchOutcome {
    const logs = new LogCollector(this.limits.maxLogLines);
    this.deadline = Date.now() + this.limits.timeoutMs;
    try {
      const rowsJson = Scope.withScope((scope) => {
        const ctx = scope.manage(this.runtime.newContext());
        const harness = this.installPrelude(ctx, scope, logs);
        return body(ctx, harness, scope);
      });
      return { ok: true, rowsJson, logs: logs.finish() };
    } catch (error) {
      const failure = error instanceof BatchFailure ? error.failure : this.hostFailure(error);
      return { ...failure, logs: logs.finish() };
    } finally {
      this.deadline = 0;
    }
  }

  private installPrelude(ctx: QuickJSContext, scope: Scope, logs: LogCollector): Harness {
    const sink = scope.manage(
      ctx.newFunction('sink', (level, line) => {
        const name = ctx.getString(level);
        logs.add(LOG_LEVELS.has(name) ? (name as LogLevel) : 'log', ctx.getString(line));
      }),
    );
    const factory = scope.manage(ctx.unwrapResult(ctx.evalCode(PRELUDE, 'sluice-prelude.js', { type: 'global', strict: true })));
    const maxChars = scope.manage(ctx.newNumber(this.limits.maxLogLineChars));
    const helpers = scope.manage(ctx.unwrapResult(ctx.callFunction(factory, ctx.undefined, sink, maxChars)));
    return {
      parse: scope.manage(ctx.getProp(helpers, 'parse')),
      stringify: scope.manage(ctx.getProp(helpers, 'stringify')),
      kind: scope.manage(ctx.getProp(helpers, 'kind')),
      describe: scope.manage(ctx.getProp(helpers, 'describe')),
    };
  }

  /** Evaluates the user's code and returns `transform`, or the function the code evaluates to. */
  private locateTransform(ctx: QuickJSContext, harness: Harness, scope: Scope): QuickJSHandle {
    const evaluated = ctx.evalCode(this.code, USER_FILE, { type: 'global' });
    if (evaluated.error) {
      const failure = this.describe(ctx, harness, scope.manage(evaluated.error), 'JS_RUNTIME_ERROR');
      throw new BatchFailure(
        failure.code === 'JS_RUNTIME_ERROR' && failure.message.startsWith('SyntaxError')
          ? { ...failure, code: 'JS_INVALID_CODE' }
          : failure,
      );
    }
    const completion = scope.manage(evaluated.value);
    // A getter named transform could loop or throw: this runs under the same time budget.
    const declared = scope.manage(this.call(ctx, harness, this.lookup(ctx, scope), [], 'JS_RUNTIME_ERROR'));
    if (ctx.typeof(declared) === 'function') return declared;
    if (ctx.typeof(completion) === 'function') return completion;
    throw new BatchFailure({
      ok: false,
      code: 'JS_INVALID_CODE',
      message: 'The code must define a function named transform, e.g. `function transform(rows) { return rows; }`.',
    });
  }

  private lookup(ctx: QuickJSContext, scope: Scope): QuickJSHandle {
    return scope.manage(ctx.unwrapResult(ctx.evalCode("(() => typeof transform === 'function' ? transform : undefined)", 'sluice-lookup.js', { type: 'global', strict: true })));
  }

  private call(ctx: QuickJSContext, harness: Harness, fn: QuickJSHandle, args: QuickJSHandle[], code: SandboxErrorCode): QuickJSHandle {
    const result = ctx.callFunction(fn, ctx.undefined, ...args);
    if (!result.error) return result.value;
    const failure = this.describe(ctx, harness, result.error, code);
    result.error.dispose();
    throw new BatchFailure(failure);
  }

  /** Waits for a returned promise by running QuickJS's job queue (there is no I/O to wait for). */
  private settle(ctx: QuickJSContext, harness: Harness, scope: Scope, value: QuickJSHandle): QuickJSHandle {
    for (;;) {
      const state = ctx.getPromiseState(value);
      if (state.type === 'fulfilled') return state.notAPromise ? value : scope.manage(state.value);
      if (state.type === 'rejected') {
        const failure = this.describe(ctx, harness, state.error, 'JS_RUNTIME_ERROR');
        state.error.dispose();
        throw new BatchFailure(failure);
      }
      if (!this.runtime.hasPendingJob()) {
        throw new BatchFailure({ ok: false, code: 'JS_INVALID_OUTPUT', message: 'transform returned a promise that never settles.' });
      }
      const ran = this.runtime.executePendingJobs();
      if (ran.error) {
        const failure = this.describe(ctx, harness, ran.error, 'JS_RUNTIME_ERROR');
        ran.error.dispose();
        throw new BatchFailure(failure);
      }
    }
  }

  /** Turns a value thrown inside QuickJS into a failure with a stable code. */
  private describe(ctx: QuickJSContext, harness: Harness, error: QuickJSHandle, code: SandboxErrorCode): Omit<Failure, 'logs'> {
    const timedOut = Date.now() > this.deadline;
    this.deadline = Date.now() + DESCRIBE_BUDGET_MS;
    let name = 'Error';
    let message = '';
    let stack = '';
    const described = ctx.callFunction(harness.describe, ctx.undefined, error);
    if (described.error) {
      described.error.dispose();
    } else {
      const parsed: unknown = JSON.parse(ctx.getString(described.value) || '[]');
      described.value.dispose();
      if (Array.isArray(parsed) && parsed.length === 3) [name, message, stack] = parsed.map(String) as [string, string, string];
    }

    if ((name === 'InternalError' && message === 'interrupted') || (message === '' && timedOut)) {
      return { ok: false, code: 'JS_TIMEOUT', message: `The transform did not finish within its time limit of ${this.limits.timeoutMs} ms.` };
    }
    if ((name === 'InternalError' && (message === 'out of memory' || message === 'string too long')) || (message === '' && this.heapExhausted())) {
      return this.memoryFailure(`the transform (${message || 'out of memory'})`);
    }
    const line = lineOf(stack);
    const text = `${name}: ${message || '(no message)'}`;
    return { ok: false, code, message: line === undefined ? text : `${text} (line ${line})`, ...(line === undefined ? {} : { line }) };
  }

  private memoryFailure(what: string): Omit<Failure, 'logs'> {
    return { ok: false, code: 'JS_MEMORY_LIMIT', message: `The JavaScript memory limit of ${this.limits.memoryMb} MB was exceeded by ${what}.` };
  }

  /** Whether QuickJS's memory has grown to its cap (it never shrinks): a tie-breaker only. */
  private heapExhausted(): boolean {
    const maxBytes = Math.max(MIN_WASM_PAGES * WASM_PAGE, this.limits.memoryMb * 1024 * 1024);
    return this.memory.buffer.byteLength >= maxBytes - 4 * 1024 * 1024;
  }

  /** Errors thrown by the host side of the engine rather than inside QuickJS. */
  private hostFailure(error: unknown): Omit<Failure, 'logs'> {
    if (this.deadline !== 0 && Date.now() > this.deadline) {
      return { ok: false, code: 'JS_TIMEOUT', message: `The transform did not finish within its time limit of ${this.limits.timeoutMs} ms.` };
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      return { ok: false, code: 'JS_RUNTIME_ERROR', message: 'InternalError: stack overflow (the code or the data nests too deeply).' };
    }
    if (/invalid string length/i.test(message)) return this.memoryFailure('the output rows (too large for one string)');
    if (/out of memory|\bOOM\b|enlarge memory/i.test(message)) return this.memoryFailure('the transform');
    return { ok: false, code: 'JS_SANDBOX_CRASHED', message: `The JavaScript engine failed: ${message}` };
  }
}

function lineOf(stack: string): number | undefined {
  const match = new RegExp(`${USER_FILE.replace('.', '\\.')}:(\\d+)`).exec(stack);
  const line = match?.[1] === undefined ? NaN : Number(match[1]);
  return Number.isInteger(line) && line > 0 ? line : undefined;
}
