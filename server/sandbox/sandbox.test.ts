// Real child processes, real QuickJS, no mocks. Each hostile batch must end with
// a clear SandboxError while this (parent) process stays healthy and the same
// sandbox goes on serving batches from a fresh child.
//
// Every failure costs a new child process (~0.3 s to start on an idle machine),
// so cases that share a sandbox run one after another in one test, and groups
// whose assertions do not depend on timing run concurrently.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi, type TestContext } from 'vitest';
import { SandboxError, type SandboxErrorCode } from './errors';
import { readParentMessage } from './guards';
import { findPrlimit } from './launch';
import { createJsSandbox, type JsSandbox, type JsSandboxOptions, type Row } from './pool';
import { ParentMessageSchema, type LogLine } from './protocol';

const SECRET = 'sluice-sandbox-test-secret-9f3b';
const IDENTITY = 'function transform(rows) { return rows; }';

function sandbox(context: TestContext, code: string, options: Partial<JsSandboxOptions> = {}): JsSandbox {
  const sb = createJsSandbox({ code, timeoutMs: 2_000, memoryMb: 64, ...options });
  context.onTestFinished(() => sb.close());
  return sb;
}

async function failure(promise: Promise<unknown>): Promise<SandboxError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SandboxError) return error;
    throw error;
  }
  throw new Error('expected the batch to fail');
}

async function expectFailure(promise: Promise<unknown>, code: SandboxErrorCode, message: RegExp): Promise<SandboxError> {
  const error = await failure(promise);
  expect({ code: error.code, message: error.message }).toEqual({ code, message: expect.stringMatching(message) as unknown });
  return error;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The failed batch's process is gone, and the sandbox serves the next batch from a new one. */
async function expectRecovers(sb: JsSandbox, failedPid: number): Promise<void> {
  expect(sb.status().pid).toBeUndefined();
  await vi.waitFor(() => {
    expect(alive(failedPid)).toBe(false);
  });
  expect(await sb.runBatch([{ ok: 1 }])).toEqual([{ ok: 1 }]);
  expect(sb.status().pid).not.toBe(failedPid);
}

let rssBefore = 0;
beforeAll(() => {
  process.env.SLUICE_SANDBOX_TEST_SECRET = SECRET;
  rssBefore = process.memoryUsage().rss;
});
afterAll(() => {
  delete process.env.SLUICE_SANDBOX_TEST_SECRET;
});

describe('JavaScript sandbox', () => {
  describe.concurrent('transforms', () => {
    it('transforms 10,000 rows in batches of 1,000, one process message per batch', async (context) => {
      const logs: LogLine[] = [];
      const sb = sandbox(
        context,
        `function transform(rows) {
           console.log('batch of', rows.length, { first: rows[0].id });
           return rows.filter((r) => r.id % 10 !== 0).map((r) => ({ ...r, total: r.qty * r.price, tag: r.name.toUpperCase() }));
         }`,
        { onLog: (line) => logs.push(line) },
      );
      const rows: Row[] = Array.from({ length: 10_000 }, (_, id) => ({ id, name: `item-${id}`, qty: id % 7, price: 1.5, at: null }));
      const started = performance.now();
      const out: Row[] = [];
      for (let i = 0; i < rows.length; i += 1_000) out.push(...(await sb.runBatch(rows.slice(i, i + 1_000))));
      const elapsedMs = performance.now() - started;

      expect(out).toHaveLength(9_000);
      expect(out[0]).toEqual({ id: 1, name: 'item-1', qty: 1, price: 1.5, at: null, total: 1.5, tag: 'ITEM-1' });
      expect(out.at(-1)).toEqual({ id: 9_999, name: 'item-9999', qty: 3, price: 1.5, at: null, total: 4.5, tag: 'ITEM-9999' });
      expect(logs).toHaveLength(10);
      expect(logs[1]).toEqual({ level: 'log', message: 'batch of 1000 {"first":1000}' });
      expect(sb.status()).toMatchObject({ processesStarted: 1, batchesOnProcess: 10 });
      // One process start plus ten batches of 1,000 rows; generous for a loaded 2-core box.
      expect(elapsedMs).toBeLessThan(8_000);
    });

    it('accepts a single function expression, async transforms, and BigInt input', async (context) => {
      const arrow = sandbox(context, '(rows) => rows.map((r) => ({ big: r.big, double: r.n * 2 }))');
      expect(await arrow.runBatch([{ n: 2, big: 12n }, { n: 3, big: 2n ** 64n }])).toEqual([
        { big: 12, double: 4 },
        { big: '18446744073709551616', double: 6 },
      ]);
      const asyncSb = sandbox(context, 'async function transform(rows) { await null; return rows.slice(1); }');
      expect(await asyncSb.runBatch([{ a: 1 }, { a: 2 }])).toEqual([{ a: 2 }]);
    });

    it('gives every batch a fresh realm, and recycles the process every N batches', async (context) => {
      const sb = sandbox(context, 'let calls = 0; function transform(rows) { calls++; globalThis.seen = (globalThis.seen ?? 0) + 1; return [{ calls, seen }]; }', {
        recycleAfterBatches: 2,
      });
      const pids: (number | undefined)[] = [];
      for (let i = 0; i < 5; i++) {
        expect(await sb.runBatch([])).toEqual([{ calls: 1, seen: 1 }]);
        pids.push(sb.status().pid);
      }
      // Retired right after every second batch, started again for the next.
      expect(pids).toEqual([expect.any(Number), undefined, expect.any(Number), undefined, expect.any(Number)]);
      expect(new Set(pids.filter(Boolean)).size).toBe(3);
      expect(sb.status().processesStarted).toBe(3);
    });

    it('bounds captured console output and returns it with a failure', async (context) => {
      const logs: LogLine[] = [];
      const chatty = sandbox(context, "function transform(rows) { for (let i = 0; i < 1000; i++) console.warn('line', i, 'x'.repeat(5000)); return rows; }", {
        onLog: (line) => logs.push(line),
        maxLogLines: 5,
        maxLogLineChars: 50,
      });
      await chatty.runBatch([]);
      expect(logs).toHaveLength(6);
      expect(logs[0]).toEqual({ level: 'warn', message: `line 0 ${'x'.repeat(43)}…` });
      expect(logs[5]).toEqual({ level: 'warn', message: '… 995 more log lines were dropped' });

      const failing = sandbox(context, "function transform(rows) {\n  console.error('about to fail');\n  return rows.nope.length;\n}");
      const error = await expectFailure(failing.runBatch([]), 'JS_RUNTIME_ERROR', /^TypeError: .*\(line 3\)$/);
      expect(error.details).toMatchObject({ line: 3, logs: [{ level: 'error', message: 'about to fail' }] });
      expect(error.permanent).toBe(true);
    });
  });

  describe('limits', () => {
    it('ends an infinite loop with JS_TIMEOUT within the budget, then serves the next batch from a fresh process', async (context) => {
      const sb = sandbox(context, 'function transform(rows) { if (rows[0].spin) { while (true) {} } return rows; }', { timeoutMs: 500, killGraceMs: 1_000 });
      await sb.runBatch([{ spin: false }]);
      const pid = sb.status().pid!;
      const started = performance.now();
      await expectFailure(sb.runBatch([{ spin: true }]), 'JS_TIMEOUT', /did not finish within its time limit of 500 ms/);
      expect(performance.now() - started).toBeLessThan(500 + 1_000);
      await expectRecovers(sb, pid);
    });

    it('kills a process that stops answering (the wall-clock kill in the parent)', async (context) => {
      const sb = sandbox(context, IDENTITY, { timeoutMs: 300, killGraceMs: 200 });
      await sb.runBatch([]);
      const pid = sb.status().pid!;
      process.kill(pid, 'SIGSTOP'); // not even QuickJS's interrupt handler can run now
      const started = performance.now();
      await expectFailure(sb.runBatch([{ a: 1 }]), 'JS_TIMEOUT', /time limit of 300 ms, so its sandbox process was killed/);
      expect(performance.now() - started).toBeLessThan(300 + 200 + 500);
      await expectRecovers(sb, pid);
    });

    it('reports a process killed from outside as JS_SANDBOX_CRASHED, a retryable error', async (context) => {
      const sb = sandbox(context, IDENTITY, { timeoutMs: 5_000 });
      await sb.runBatch([]);
      const pid = sb.status().pid!;
      process.kill(pid, 'SIGSTOP');
      const pending = sb.runBatch([]);
      setTimeout(() => process.kill(pid, 'SIGKILL'), 100);
      const error = await expectFailure(pending, 'JS_SANDBOX_CRASHED', /stopped unexpectedly \(signal SIGKILL\)/);
      expect(error.permanent).toBe(false);
      await expectRecovers(sb, pid);
    });

    it('ends every way of exhausting memory with JS_MEMORY_LIMIT, including a 2 GB allocation', async (context) => {
      const cases = {
        array2gb: 'new Array(5e8).fill(1)', // the 2 GB allocation
        buffer: 'new ArrayBuffer(1.5 * 1024 ** 3)',
        smallStrings: "const keep = []; for (;;) keep.push('x'.repeat(1024) + keep.length)",
        smallBuffers: 'const keep = []; for (;;) keep.push(new Uint8Array(256 * 1024))',
        doublingString: "let s = 'x'; for (;;) s = s + s + '.'",
      };
      const code = `function transform(rows) {
        switch (rows[0]?.case) {
          ${Object.entries(cases).map(([name, body]) => `case '${name}': { ${body}; break; }`).join('\n')}
        }
        return rows;
      }`;
      const sb = sandbox(context, code, { memoryMb: 32, timeoutMs: 10_000 });
      const pids: number[] = [];
      for (const name of Object.keys(cases)) {
        await sb.runBatch([]);
        pids.push(sb.status().pid!);
        await expectFailure(sb.runBatch([{ case: name }]), 'JS_MEMORY_LIMIT', /^The JavaScript memory limit of 32 MB was exceeded by the transform \((out of memory|string too long)\)\.$/);
      }
      await expectRecovers(sb, pids.at(-1)!);
      expect(new Set(pids).size).toBe(pids.length);
    });

    it('refuses a batch too large for the memory limit before sending it', async (context) => {
      const sb = sandbox(context, IDENTITY, { memoryMb: 16 });
      await expectFailure(sb.runBatch([{ blob: 'x'.repeat(8 * 1024 * 1024) }]), 'JS_MEMORY_LIMIT', /does not fit in the JavaScript memory limit of 16 MB/);
      expect(sb.status().processesStarted).toBe(0);
    });

    it('turns deep recursion and over-deep data into JS_RUNTIME_ERROR', async (context) => {
      const sb = sandbox(
        context,
        `function transform(rows) {
          if (rows[0].recurse) { const f = (n) => f(n + 1) + 1; return f(0); }
          let o = []; for (let i = 0; i < 200000; i++) o = [o]; return [{ o }];
        }`,
      );
      await expectFailure(sb.runBatch([{ recurse: true }]), 'JS_RUNTIME_ERROR', /stack overflow/);
      await expectFailure(sb.runBatch([{ recurse: false }]), 'JS_RUNTIME_ERROR', /stack overflow/);
    });
  });

  describe.concurrent('isolation', () => {
    it("ends require('fs'), process.exit(1) and constructor escapes with a clear error; the parent lives on", async (context) => {
      const sb = sandbox(
        context,
        `function transform(rows) {
          switch (rows[0].case) {
            case 'require': return [{ files: require('fs').readdirSync('/') }];
            case 'exit': process.exit(1); break;
            case 'constructor': return [{ env: globalThis.constructor.constructor('return process')().env }];
          }
          return rows;
        }`,
      );
      const required = await expectFailure(sb.runBatch([{ case: 'require' }]), 'JS_RUNTIME_ERROR', /^ReferenceError: 'require' is not defined \(line 3\)$/);
      expect(required.details.line).toBe(3);
      await expectFailure(sb.runBatch([{ case: 'exit' }]), 'JS_RUNTIME_ERROR', /^ReferenceError: 'process' is not defined \(line 4\)$/);
      await expectFailure(sb.runBatch([{ case: 'constructor' }]), 'JS_RUNTIME_ERROR', /^ReferenceError: 'process' is not defined \(line 5\)$/);
      expect(await sb.runBatch([{ case: 'none' }])).toEqual([{ case: 'none' }]);
      expect(process.exitCode ?? 0).toBe(0);
    });

    it('exposes only ECMAScript built-ins and console: no process, env, fs, network, timers or modules', async (context) => {
      const sb = sandbox(
        context,
        `async function transform() {
          const probe = (f) => { try { const v = f(); return v === undefined ? 'undefined' : typeof v === 'object' ? JSON.stringify(v) ?? String(v) : String(v); } catch (e) { return 'threw ' + e.name + ': ' + e.message; } };
          let dynamicImport;
          try { await import('fs'); dynamicImport = 'loaded'; } catch (e) { dynamicImport = String(e); }
          return [{
            globals: Object.getOwnPropertyNames(globalThis).sort().join(','),
            typeofs: ['require', 'process', 'module', 'exports', 'global', 'Buffer', 'fetch', 'XMLHttpRequest', 'WebSocket', 'setTimeout', 'setInterval', 'queueMicrotask', 'structuredClone', 'WebAssembly', 'Deno', 'Bun', 'std', 'os', 'scriptArgs']
              .map((name) => name + ':' + typeof globalThis[name]).join(','),
            viaFunction: probe(() => Function('return this')().process),
            viaFunctionEnv: probe(() => Function('return process.env')()),
            viaConstructor: probe(() => globalThis.constructor.constructor('return process')()),
            viaThis: probe(() => this.constructor.constructor('return this.process')()),
            viaGenerator: probe(() => (function* () {}).constructor('return process')().next()),
            viaConsole: probe(() => console.log.constructor('return process.mainModule')()),
            viaConsoleProto: probe(() => Object.getPrototypeOf(console) === Object.prototype),
            viaEval: probe(() => eval('typeof require + typeof process')),
            viaError: probe(() => { try { null.x; } catch (e) { return e.constructor.constructor('return process')(); } }),
            stack: probe(() => new Error('x').stack),
            dynamicImport,
          }];
        }`,
      );
      const [out] = await sb.runBatch([]);
      const ecmascript = new Set(
        'AggregateError,Array,ArrayBuffer,BigInt,BigInt64Array,BigUint64Array,Boolean,DataView,Date,Error,EvalError,FinalizationRegistry,Float16Array,Float32Array,Float64Array,Function,Infinity,Int16Array,Int32Array,Int8Array,InternalError,Iterator,JSON,Map,Math,NaN,Number,Object,Promise,Proxy,RangeError,ReferenceError,Reflect,RegExp,Set,SharedArrayBuffer,String,Symbol,SyntaxError,TypeError,URIError,Uint16Array,Uint32Array,Uint8Array,Uint8ClampedArray,WeakMap,WeakRef,WeakSet,decodeURI,decodeURIComponent,encodeURI,encodeURIComponent,escape,eval,globalThis,isFinite,isNaN,parseFloat,parseInt,undefined,unescape'.split(','),
      );
      const extra = String(out!.globals)
        .split(',')
        .filter((name) => !ecmascript.has(name));
      expect(extra).toEqual(['console', 'transform']);
      expect(String(out!.typeofs).split(',').filter((entry) => !entry.endsWith(':undefined'))).toEqual([]);
      const notDefined = "threw ReferenceError: 'process' is not defined";
      expect(out).toMatchObject({
        viaFunction: 'undefined',
        viaFunctionEnv: notDefined,
        viaConstructor: notDefined,
        viaThis: 'undefined',
        viaGenerator: notDefined,
        viaConsole: notDefined,
        viaConsoleProto: 'true',
        viaEval: 'undefinedundefined',
        viaError: notDefined,
        dynamicImport: "ReferenceError: could not load module 'fs'",
      });
      expect(JSON.stringify(out)).not.toContain(SECRET);
      expect(JSON.stringify(out)).not.toMatch(/node:|\/work\/|node_modules/);
    });

    it('rejects ES module syntax: no import statements', async (context) => {
      const sb = sandbox(context, "import fs from 'fs'; export function transform(rows) { return rows; }");
      await expectFailure(sb.runBatch([]), 'JS_INVALID_CODE', /^SyntaxError/);
    });

    it.skipIf(process.platform !== 'linux')('runs the child with an empty environment, the permission model and rlimits', async (context) => {
      const sb = sandbox(context, IDENTITY, { memoryMb: 64 });
      await sb.runBatch([]);
      const pid = sb.status().pid!;
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      expect(environ.map((entry) => entry.split('=')[0]).sort()).toEqual(['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline).toEqual(expect.arrayContaining(['--permission', '--disallow-code-generation-from-strings', '--max-old-space-size=192']));
      expect(cmdline.filter((arg) => /^--allow-(fs-write|child-process|worker|addons|wasi)/.test(arg))).toEqual([]);
      expect(cmdline.filter((arg) => arg.startsWith('--allow-fs-read=')).every((arg) => /\/(node_modules\/|server\/sandbox\/|package\.json)$/.test(arg))).toBe(true);
      if (findPrlimit()) {
        const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
        expect(Number(/Max address space\s+(\d+)/.exec(limits)?.[1])).toBe(sb.status().addressSpaceMb! * 1024 * 1024);
        expect(limits).toMatch(/Max core file size\s+0\s+0/);
        expect(limits).toMatch(/Max file size\s+0\s+0/);
        expect(limits).toMatch(/Max cpu time\s+\d+\s+\d+\s+seconds/);
      }
    });
  });

  describe.concurrent('invalid code and output', () => {
    it('rejects everything but an array of row objects with JS_INVALID_OUTPUT', async (context) => {
      const cases: [string, RegExp][] = [
        ['return 42;', /returned a value of type number/],
        ['rows.length; break;', /returned undefined/],
        ['return null;', /returned null/],
        ['return { rows };', /returned a value of type object/],
        ['return [1, 2];', /row 0 is a number/],
        ['return [{ a: 1 }, [2]];', /row 1 is an array/],
        ['return [{ n: 1n }];', /^TypeError: .*BigInt/],
        ['return new Promise(() => {});', /never settles/],
      ];
      const sb = sandbox(context, `function transform(rows) { switch (rows[0].case) { ${cases.map(([body], i) => `case ${i}: ${body}`).join('\n')} } }`);
      for (const [i, [, message]] of cases.entries()) await expectFailure(sb.runBatch([{ case: i }]), 'JS_INVALID_OUTPUT', message);
    });

    it('rejects a syntax error or a missing transform with JS_INVALID_CODE', async (context) => {
      const syntax = sandbox(context, 'function transform(rows) {\n  return rows.map((r) => ({ ...r );\n}');
      const error = await expectFailure(syntax.runBatch([]), 'JS_INVALID_CODE', /^SyntaxError: .*\(line 2\)$/);
      expect(error.details.line).toBe(2);
      const missing = sandbox(context, 'function transfrom(rows) { return rows; }');
      await expectFailure(missing.runBatch([]), 'JS_INVALID_CODE', /must define a function named transform/);
    });

    it('rejects a batch in flight when closed, and every batch after', async (context) => {
      const sb = sandbox(context, 'function transform(rows) { while (true) {} }', { timeoutMs: 10_000 });
      const pending = sb.runBatch([]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await sb.close();
      await expectFailure(pending, 'JS_SANDBOX_CRASHED', /closed/);
      await expectFailure(sb.runBatch([]), 'JS_SANDBOX_CRASHED', /has been closed/);
    });
  });

  it("checks the parent's messages in the child exactly as the zod schema does", () => {
    const limits = { timeoutMs: 100, memoryMb: 64, maxStackBytes: 1024, maxLogLines: 0, maxLogLineChars: 10 };
    const samples: unknown[] = [
      { type: 'init', code: 'x', limits },
      { type: 'run', id: 1, rowsJson: '[]' },
      { type: 'run', id: 0, rowsJson: '[]' },
      { type: 'run', id: 1.5, rowsJson: '[]' },
      { type: 'run', id: 1, rowsJson: [] },
      { type: 'init', code: 1, limits },
      { type: 'init', code: 'x', limits: { ...limits, memoryMb: 15 } },
      { type: 'init', code: 'x', limits: { ...limits, memoryMb: 4096 } },
      { type: 'init', code: 'x', limits: { ...limits, maxLogLines: -1 } },
      { type: 'init', code: 'x', limits: { ...limits, timeoutMs: undefined } },
      { type: 'init', code: 'x' },
      { type: 'stop' },
      null,
      [],
      'run',
    ];
    for (const sample of samples) {
      const parsed = ParentMessageSchema.safeParse(sample);
      expect(readParentMessage(sample)).toEqual(parsed.success ? parsed.data : undefined);
    }
  });

  it("keeps the parent's memory flat through all of the above", () => {
    const grownMb = (process.memoryUsage().rss - rssBefore) / (1024 * 1024);
    expect(grownMb).toBeLessThan(150);
  });
});
