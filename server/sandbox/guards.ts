// What the sandbox child needs of the protocol at run time, without zod: the
// child starts for every new process (every N batches and after every failure),
// and importing zod would be about a third of its start-up time. The messages'
// types still come from the zod schemas in protocol.ts, and the parent, which
// must not trust the child, parses everything the child sends with them.
//
// Loaded through Node's type stripping: erasable TypeScript only.
import type { ChildLimits, ParentMessage } from './protocol';

/**
 * Whether a batch of `jsonBytes` of JSON can be handed to QuickJS at all: the
 * text is copied into its heap and then parsed, which needs about as much again.
 * Both sides check, the parent before it sends anything.
 */
export function batchFitsMemory(jsonBytes: number, memoryMb: number): boolean {
  return jsonBytes * 3 <= memoryMb * 1024 * 1024;
}

export function batchTooLargeMessage(jsonBytes: number, memoryMb: number): string {
  const mb = (jsonBytes / (1024 * 1024)).toFixed(1);
  return `The batch (${mb} MB of JSON) does not fit in the JavaScript memory limit of ${memoryMb} MB; use smaller batches or raise the limit.`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

function readLimits(value: unknown): ChildLimits | undefined {
  if (!isRecord(value)) return undefined;
  const { timeoutMs, memoryMb, maxStackBytes, maxLogLines, maxLogLineChars } = value;
  if (!isCount(timeoutMs, 1) || !isCount(memoryMb, 16) || memoryMb > 2048 || !isCount(maxStackBytes, 1)) return undefined;
  if (!isCount(maxLogLines, 0) || !isCount(maxLogLineChars, 1)) return undefined;
  return { timeoutMs, memoryMb, maxStackBytes, maxLogLines, maxLogLineChars };
}

/** The same checks as protocol.ts's ParentMessageSchema (a test holds them together). */
export function readParentMessage(value: unknown): ParentMessage | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === 'run') {
    const { id, rowsJson } = value;
    return isCount(id, 1) && typeof rowsJson === 'string' ? { type: 'run', id, rowsJson } : undefined;
  }
  if (value.type === 'init') {
    const { code } = value;
    const limits = readLimits(value.limits);
    return typeof code === 'string' && limits ? { type: 'init', code, limits } : undefined;
  }
  return undefined;
}
