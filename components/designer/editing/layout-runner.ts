'use client';
// Runs ELK in a web worker (elkjs ships one); if the worker cannot start, the
// same engine runs on the page instead.
import type { ELK as ElkApi, ElkNode } from 'elkjs/lib/elk-api';
import { getNodeDefinition } from '@/server/pipeline/registry';
import type { DesignerEdge, DesignerNode } from '../document';
import { DEFAULT_NODE_SIZE } from '../placement';
import { positionsFromElk, toElkGraph, topLeft, type LayoutNode } from './layout';

let engine: Promise<ElkApi> | null = null;

async function workerEngine(): Promise<ElkApi> {
  const { default: ELK } = await import('elkjs/lib/elk-api.js');
  return new ELK({ workerFactory: () => new Worker(new URL('./elk.worker.ts', import.meta.url)) });
}

async function pageEngine(): Promise<ElkApi> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  return new ELK();
}

/** A worker that fails to load may never answer; give up on it after this long. */
const WORKER_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('layout worker did not answer')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function layout(graph: ElkNode): Promise<ElkNode> {
  engine ??= workerEngine();
  try {
    return await withTimeout((await engine).layout(graph), WORKER_TIMEOUT_MS);
  } catch {
    engine = pageEngine();
    return (await engine).layout(graph);
  }
}

export function layoutNodeOf(node: DesignerNode): LayoutNode {
  const ports = getNodeDefinition(node.data.kind)?.ports;
  return {
    id: node.id,
    width: node.measured?.width ?? DEFAULT_NODE_SIZE.width,
    height: node.measured?.height ?? DEFAULT_NODE_SIZE.height,
    inputs: ports?.inputs.map((p) => p.name) ?? [],
    outputs: ports?.outputs.map((p) => p.name) ?? [],
  };
}

/** New positions for all nodes, laid out left to right from where the pipeline starts now. */
export async function computeLayout(nodes: readonly DesignerNode[], edges: readonly DesignerEdge[]): Promise<Map<string, { x: number; y: number }>> {
  const graph = toElkGraph(
    nodes.map(layoutNodeOf),
    edges.map((e) => ({ id: e.id, source: e.source, sourcePort: e.sourceHandle, target: e.target, targetPort: e.targetHandle })),
  );
  return positionsFromElk(await layout(graph), topLeft(nodes.map((n) => n.position)));
}
