// What the canvas shows about one run: the run's status and each node's stage
// status and row count, each stage's timing (for the Gantt chart) and the
// newest log lines. Pure functions, so event streams and snapshots can be
// merged and tested without React.
import { MAX_TAIL_LINES, receiveNewer, createLogWindow, type TailLine } from './log-window';
import type { RunEvent, RunStatus, StageStatus } from './run-types';

export interface NodeRunState {
  status: StageStatus;
  rows: number | null;
  errorMessage: string | null;
}

/** When a stage ran, in epoch milliseconds, as the live events tell. */
export interface StageTiming {
  status: StageStatus;
  startedAt: number | null;
  finishedAt: number | null;
  attempts: number | null;
}

export interface RunView {
  runId: string | null;
  status: RunStatus | null;
  errorMessage: string | null;
  errorNodeId: string | null;
  nodes: Readonly<Record<string, NodeRunState>>;
  /** By stage id. */
  stages: Readonly<Record<string, StageTiming>>;
  startedAt: number | null;
  finishedAt: number | null;
  /** The newest log lines received live, oldest first. */
  logs: readonly TailLine[];
  /** Older lines than `logs` holds were received and dropped. */
  logsTrimmed: boolean;
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

/** Log lines the view keeps; the log tail pages older ones from the server. */
export const MAX_LOG_LINES = MAX_TAIL_LINES;

export const emptyRunView: RunView = { runId: null, status: null, errorMessage: null, errorNodeId: null, nodes: {}, stages: {}, startedAt: null, finishedAt: null, logs: [], logsTrimmed: false };

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
  const stages = { ...view.stages };
  let { status, errorMessage, errorNodeId, startedAt, finishedAt } = view;
  const lines: TailLine[] = [];
  for (const event of events) {
    const at = event.at !== undefined ? Date.parse(event.at) : null;
    if (event.type === 'stage') {
      const current = stages[event.stageId];
      if (event.status === 'running') stages[event.stageId] = { status: 'running', startedAt: at, finishedAt: null, attempts: event.attempts ?? null };
      else if (event.status === 'pending') stages[event.stageId] = { status: 'pending', startedAt: null, finishedAt: null, attempts: null };
      else stages[event.stageId] = { status: event.status, startedAt: current?.startedAt ?? null, finishedAt: at, attempts: event.attempts ?? current?.attempts ?? null };
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
      // A retried attempt announces `running` again; the run started with the first.
      if (event.status === 'running') startedAt ??= at;
      else if (event.status !== 'queued') finishedAt = at;
      status = event.status;
      if (event.errorMessage !== undefined) errorMessage = event.errorMessage;
      if (event.errorNodeId !== undefined) errorNodeId = event.errorNodeId;
      if (event.status === 'failed') markFailedNode(nodes, event.errorNodeId, event.errorMessage);
    } else if (event.id !== undefined) {
      // Only events from the stream carry ids; the log tail orders and pages by them.
      lines.push({ id: event.id, at: at ?? Date.now(), level: event.level, message: event.message, nodeId: event.nodeId ?? null });
    }
  }
  const tail = lines.length > 0 ? receiveNewer({ ...createLogWindow(MAX_LOG_LINES), lines: view.logs, hasOlder: view.logsTrimmed }, lines) : null;
  const logs = tail ? tail.lines : view.logs;
  const logsTrimmed = tail ? tail.hasOlder : view.logsTrimmed;
  return { ...view, status, errorMessage, errorNodeId, nodes, stages, startedAt, finishedAt, logs, logsTrimmed };
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

/** A stage as run.get returns it, reduced to its timing. */
export interface SnapshotStageTiming {
  status: StageStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
  attempts: number;
}

/**
 * When the stage ran: the snapshot's times (the database's) unless live events
 * moved the stage further since; either fills what the other lacks.
 */
export function stageTiming(snapshot: SnapshotStageTiming, live: StageTiming | undefined): StageTiming {
  const stored: StageTiming = { status: snapshot.status, startedAt: snapshot.startedAt?.getTime() ?? null, finishedAt: snapshot.finishedAt?.getTime() ?? null, attempts: snapshot.attempts || null };
  if (!live) return stored;
  if (stageRank[live.status] > stageRank[stored.status]) return { ...live, startedAt: live.startedAt ?? stored.startedAt };
  if (live.status !== stored.status) return stored;
  return { status: stored.status, startedAt: stored.startedAt ?? live.startedAt, finishedAt: stored.finishedAt ?? live.finishedAt, attempts: stored.attempts ?? live.attempts };
}
