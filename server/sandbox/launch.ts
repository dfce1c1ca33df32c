// How the sandbox child process is started: which program, which Node flags,
// which OS limits. Parent side only.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const folder = path.dirname(fileURLToPath(import.meta.url));

/** Plain JavaScript boot file that loads child.ts through Node's type stripping. */
export const CHILD_ENTRY = path.join(folder, 'entry.mjs');

/**
 * Virtual memory a bare Node process maps before any work (code range, V8 heap
 * reservations, thread stacks, malloc arenas): measured at 1.3–1.5 GB on Linux
 * x64 with the WebAssembly trap handler off.
 */
const NODE_BASELINE_MB = 1536;
/** Room for what is neither V8 heap nor WebAssembly: code, young generation, malloc. */
const NATIVE_HEADROOM_MB = 512;
/** Smallest cap on any WebAssembly memory; Node's type stripper (amaro) needs a few MB. */
const MIN_WASM_MEMORY_MB = 64;

export interface OsLimits {
  /** --max-old-space-size of the child: its own V8 heap (JSON text and IPC buffers). */
  hostHeapMb: number;
  /** Maximum of QuickJS's WebAssembly.Memory. */
  memoryMb: number;
  /** RLIMIT_CPU of the child over its whole life: a backstop should the parent's timer not fire. */
  cpuSeconds: number;
}

export interface LaunchCommand {
  command: string;
  args: string[];
  /** RLIMIT_AS of the child, when prlimit could set one. */
  addressSpaceMb: number | undefined;
}

/** Cap of every WebAssembly memory in the child: QuickJS's, and the type stripper's. */
function wasmMemoryCapMb(memoryMb: number): number {
  return Math.max(memoryMb, MIN_WASM_MEMORY_MB);
}

/**
 * RLIMIT_AS of the child: Node's baseline, its V8 heap, QuickJS's memory, the
 * type stripper's memory, IPC buffers for a batch in and out (each at most about
 * the QuickJS heap), and headroom.
 */
export function addressSpaceMbFor(limits: Pick<OsLimits, 'hostHeapMb' | 'memoryMb'>): number {
  return NODE_BASELINE_MB + limits.hostHeapMb + limits.memoryMb + wasmMemoryCapMb(limits.memoryMb) + 2 * limits.memoryMb + NATIVE_HEADROOM_MB;
}

/** util-linux's prlimit, which sets rlimits and then execs the command. Linux only. */
export function findPrlimit(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  return ['/usr/bin/prlimit', '/bin/prlimit'].find((candidate) => existsSync(candidate));
}

/**
 * The only paths the child may read under the permission model: this folder (its
 * own modules), the node_modules that holds quickjs-emscripten and its .wasm
 * file, and the package.json beside it (module type detection).
 * Nothing else: no .env, no workspace, no /etc, no /proc.
 */
function readablePaths(): string[] {
  const require = createRequire(import.meta.url);
  const paths = new Set<string>([`${folder}${path.sep}`]);
  const marker = `${path.sep}node_modules${path.sep}`;
  for (const pkg of ['quickjs-emscripten']) {
    const file = require.resolve(pkg);
    const at = file.indexOf(marker);
    if (at < 0) continue;
    paths.add(file.slice(0, at + marker.length));
    paths.add(path.join(file.slice(0, at), 'package.json'));
  }
  return [...paths];
}

export function nodeArgs(limits: OsLimits): string[] {
  const flags = process.allowedNodeEnvironmentFlags;
  return [
    `--max-old-space-size=${limits.hostHeapMb}`,
    // With the trap handler V8 reserves ~10 GB of address space per WebAssembly
    // memory, which an address-space cap forbids; bounds checks are used instead.
    '--disable-wasm-trap-handler',
    // Without this, Node's type stripper (amaro, WebAssembly) reserves 4 GB of
    // address space for its memory, or under the cap whatever is left of it.
    `--wasm-max-mem-pages=${wasmMemoryCapMb(limits.memoryMb) * 16}`,
    // No eval or new Function in the Node host (QuickJS has its own, harmless, eval).
    '--disallow-code-generation-from-strings',
    // Node's permission model: no file writes, no reads beyond readablePaths(), no
    // child processes, worker threads, native addons or WASI.
    flags.has('--permission') ? '--permission' : '--experimental-permission',
    ...readablePaths().map((p) => `--allow-fs-read=${p}`),
    ...(process.features.typescript ? [] : ['--experimental-strip-types']),
    CHILD_ENTRY,
  ];
}

/**
 * The child's command line. Where prlimit exists the child runs under hard
 * rlimits: address space (so no allocation outside the V8 and QuickJS caps can
 * take the machine's memory), CPU seconds, no core dumps and no file writes.
 * Elsewhere (macOS, Windows, a Linux without util-linux) the child still has the
 * V8 heap cap, the QuickJS WebAssembly.Memory cap, the permission model and the
 * parent's wall-clock kill, but no address-space cap.
 */
export function launchCommand(limits: OsLimits, prlimit: string | undefined = findPrlimit()): LaunchCommand {
  const node = [process.execPath, ...nodeArgs(limits)];
  if (prlimit === undefined) {
    const [command, ...args] = node as [string, ...string[]];
    return { command, args, addressSpaceMb: undefined };
  }
  const addressSpaceMb = addressSpaceMbFor(limits);
  return {
    command: prlimit,
    args: [
      `--as=${addressSpaceMb * 1024 * 1024}`,
      `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 5}`,
      '--core=0',
      '--fsize=0',
      '--',
      ...node,
    ],
    addressSpaceMb,
  };
}
