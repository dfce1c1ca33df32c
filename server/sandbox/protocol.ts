// Messages between the sandbox pool (parent) and its child process, one IPC
// message per batch, never one per row. The parent parses everything the child
// sends with these schemas; the child, which trusts its parent, checks the
// parent's messages with guards.ts instead, to start without loading zod.
//
// Rows cross as JSON text (`rowsJson`), not as objects: the child hands the text
// straight to QuickJS's JSON.parse and gets JSON text back from QuickJS's
// JSON.stringify, so the child's Node heap never holds the rows as objects and
// only JSON-safe values can cross the boundary in either direction.
//
// The child imports only types from here (erased by Node's type stripping).
import { z } from 'zod';

/** Stable codes for everything that can end a batch; programs branch on these. */
export const SandboxErrorCodes = {
  /** The code does not compile or does not define `transform(rows)`. */
  JS_INVALID_CODE: 'JS_INVALID_CODE',
  /** The user's code threw (ReferenceError for `require`, TypeError, stack overflow…). */
  JS_RUNTIME_ERROR: 'JS_RUNTIME_ERROR',
  /** The batch ran past its time budget (interrupted, or the process was killed). */
  JS_TIMEOUT: 'JS_TIMEOUT',
  /** The QuickJS heap, the child's V8 heap or its address space was exhausted. */
  JS_MEMORY_LIMIT: 'JS_MEMORY_LIMIT',
  /** `transform` returned something other than an array of row objects. */
  JS_INVALID_OUTPUT: 'JS_INVALID_OUTPUT',
  /** The sandbox process could not start, died unexpectedly or was closed. */
  JS_SANDBOX_CRASHED: 'JS_SANDBOX_CRASHED',
} as const;

export const SandboxErrorCodeSchema = z.enum([
  SandboxErrorCodes.JS_INVALID_CODE,
  SandboxErrorCodes.JS_RUNTIME_ERROR,
  SandboxErrorCodes.JS_TIMEOUT,
  SandboxErrorCodes.JS_MEMORY_LIMIT,
  SandboxErrorCodes.JS_INVALID_OUTPUT,
  SandboxErrorCodes.JS_SANDBOX_CRASHED,
]);
export type SandboxErrorCode = z.infer<typeof SandboxErrorCodeSchema>;

export const LogLineSchema = z.object({
  level: z.enum(['log', 'info', 'warn', 'error', 'debug']),
  message: z.string(),
});
export type LogLine = z.infer<typeof LogLineSchema>;
export type LogLevel = LogLine['level'];

/** Limits the child applies inside QuickJS (the parent adds the OS-level ones). */
export const ChildLimitsSchema = z.object({
  /** Time budget of one batch, enforced by QuickJS's interrupt handler. */
  timeoutMs: z.number().int().positive(),
  /** Hard cap of QuickJS's whole heap: the maximum of its WebAssembly.Memory. */
  memoryMb: z.number().int().min(16).max(2048),
  /** QuickJS's own stack limit, so deep recursion throws instead of overflowing the host. */
  maxStackBytes: z.number().int().positive(),
  maxLogLines: z.number().int().nonnegative(),
  maxLogLineChars: z.number().int().positive(),
});
export type ChildLimits = z.infer<typeof ChildLimitsSchema>;

// Parent → child

export const InitMessageSchema = z.object({
  type: z.literal('init'),
  code: z.string(),
  limits: ChildLimitsSchema,
});

export const RunMessageSchema = z.object({
  type: z.literal('run'),
  id: z.number().int().positive(),
  /** A JSON array of row objects. */
  rowsJson: z.string(),
});

export const ParentMessageSchema = z.discriminatedUnion('type', [InitMessageSchema, RunMessageSchema]);
export type ParentMessage = z.infer<typeof ParentMessageSchema>;

// Child → parent

/** Sent once after `init`: QuickJS is loaded and the code defines `transform`. */
export const ReadyMessageSchema = z.object({ type: z.literal('ready') });

export const ResultMessageSchema = z.object({
  type: z.literal('result'),
  id: z.number().int().positive(),
  /** What QuickJS's JSON.stringify made of `transform`'s return value; the parent checks its shape. */
  rowsJson: z.string(),
  logs: z.array(LogLineSchema),
});

export const ErrorMessageSchema = z.object({
  type: z.literal('error'),
  /** The failed batch, or null when `init` failed. */
  id: z.number().int().positive().nullable(),
  code: SandboxErrorCodeSchema,
  message: z.string(),
  /** 1-based line in the user's code, when the error's stack names one. */
  line: z.number().int().positive().optional(),
  logs: z.array(LogLineSchema),
});

export const ChildMessageSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  ResultMessageSchema,
  ErrorMessageSchema,
]);
export type ChildMessage = z.infer<typeof ChildMessageSchema>;
export type ResultMessage = z.infer<typeof ResultMessageSchema>;
export type ErrorMessage = z.infer<typeof ErrorMessageSchema>;
