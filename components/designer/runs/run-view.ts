// What the canvas shows about one run: the run's status and each node's stage
// status and row count. Pure functions, so event streams and snapshots can be
// merged and tested without React.
import type { LogLevel, RunEvent, RunStatus, StageStatus } from './run-types';

export interface NodeRunState {
  status: StageStatus;
  rows: number | null;
  errorMessage: string | null;
}

export interface LogLine {
  level: LogLevel;
  message: string;
  nodeId?: string;
}

export interface RunView {
  runId: string | null;
  status: RunStatus | null;
  errorMessage: string | null;
  errorNodeId: string | null;
  nodes: Readonly<Record<string, NodeRunState>>;
  logs: readonly LogLine[];
}

/** A run as run.get returns it, reduced to what the view needs. */
export interface RunSnapshot {
  id: string;
  status: RunStatus;
  errorMessage: string | null;
  errorNodeId: string | null;
  stages: readonly {
    nodeIds: readonly string[];
    status: StageStatus;
    rowsIn: number | null;
    rowsOut: number | null;
    errorMessage: string | null;
  }[];
}

export type NodeDisplayStatus = 'idle' | 'queued' | StageStatus;

export const MAX_LOG_LINES = 200;

export const emptyRunView: RunView = { runId: null, status: null, errorMessage: null, errorNodeId: null, nodes: {}, logs: [] };

export function startRunView(runId: string, status: RunStatus | null): RunView {
  return { ...emptyRunView, runId, status };
}

const stageRank: Record<StageStatus, number> = { pending: 0, running: 1, succeeded: 2, failed: 2, skipped: 2, reused: 2 };
const runRank: Record<RunStatus, number> = { queued: 0, running: 1, succeeded: 2, partially_succeeded: 2, failed: 2, cancelled: 2 };

function markFailedNode(nodes: Record<string, NodeRunState>, nodeId: string | null | undefined, message: string | null | undefined) {
  if (!nodeId) return;
  const current = nodes[nodeId];
  nodes[nodeId] = { status: 'failed', rows: current?.rows ?? null, errorMessage: message ?? current?.errorMessage ?? null };
}

/** Applies live events in the order they happened; later events always win. */
export function applyRunEvents(view: RunView, events: readonly RunEvent[]): RunView {
  if (events.length === 0) return view;
  const nodes = { ...view.nodes };
  let { status, errorMessage, errorNodeId } = view;
  let logs = view.logs;
  for (const event of events) {
    if (event.type === 'stage') {
      for (const nodeId of event.nodeIds) {
        const current = nodes[nodeId];
        nodes[nodeId] = {
          status: event.status,
          // A fused stage's counts are its last node's output; the nodes before it have none of their own.
          rows: nodeId === event.nodeIds.at(-1) ? (event.rowsOut ?? event.rowsIn ?? current?.rows ?? null) : null,
          errorMessage: event.errorMessage ?? (event.status === 'failed' ? (current?.errorMessage ?? null) : null),
        };
      }
    } else if (event.type === 'run') {
      status = event.status;
      if (event.errorMessage !== undefined) errorMessage = event.errorMessage;
      if (event.errorNodeId !== undefined) errorNodeId = event.errorNodeId;
      if (event.status === 'failed') markFailedNode(nodes, event.errorNodeId, event.errorMessage);
    } else {
      const line: LogLine = { level: event.level, message: event.message };
      if (event.nodeId !== undefined) line.nodeId = event.nodeId;
      logs = [...logs, line].slice(-MAX_LOG_LINES);
    }
  }
  return { ...view, status, errorMessage, errorNodeId, nodes, logs };
}

/**
 * Merges a fetched snapshot, which may be older than events already applied:
 * a node or run only moves forward (pending → running → finished), never back.
 */
export function mergeRunSnapshot(view: RunView, snapshot: RunSnapshot): RunView {
  if (view.runId !== snapshot.id) return view;
  const nodes = { ...view.nodes };
  for (const stage of snapshot.stages) {
    for (const nodeId of stage.nodeIds) {
      const current = nodes[nodeId];
      if (current && stageRank[current.status] > stageRank[stage.status]) continue;
      nodes[nodeId] = {
        status: stage.status,
        rows: nodeId === stage.nodeIds.at(-1) ? (stage.rowsOut ?? stage.rowsIn ?? current?.rows ?? null) : null,
        errorMessage: stage.errorMessage ?? current?.errorMessage ?? null,
      };
    }
  }
  const snapshotIsNewer = view.status === null || runRank[snapshot.status] >= runRank[view.status];
  if (!snapshotIsNewer) return { ...view, nodes };
  if (snapshot.status === 'failed') markFailedNode(nodes, snapshot.errorNodeId, snapshot.errorMessage);
  return { ...view, status: snapshot.status, errorMessage: snapshot.errorMessage, errorNodeId: snapshot.errorNodeId, nodes };
}

/** The status a node shows for the displayed run. */
export function nodeDisplayStatus(view: RunView, nodeId: string): NodeDisplayStatus {
  const node = view.nodes[nodeId];
  if (node) return node.status;
  if (view.status === 'queued') return 'queued';
  if (view.status === 'running') return 'pending';
  return 'idle';
}
