import { describe, expect, it } from 'vitest';
import { applyRunEvents, emptyRunView, MAX_LOG_LINES, mergeRunSnapshot, nodeDisplayStatus, stageTiming, startRunView, type RunSnapshot } from './run-view';
import type { RunEvent } from './run-types';

const T0 = Date.UTC(2026, 0, 1, 12);

const stage = (nodeIds: string[], status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped', rows: { rowsIn?: number | null; rowsOut?: number | null } = {}): RunEvent => ({
  type: 'stage',
  stageId: nodeIds.join('+'),
  nodeIds,
  status,
  ...rows,
});

describe('live run events', () => {
  it('moves nodes through their stage statuses and keeps the row counts', () => {
    let view = startRunView('r1', 'queued');
    expect(nodeDisplayStatus(view, 'a')).toBe('queued');
    view = applyRunEvents(view, [{ type: 'run', status: 'running' }, stage(['a'], 'running')]);
    expect(nodeDisplayStatus(view, 'a')).toBe('running');
    expect(nodeDisplayStatus(view, 'b')).toBe('pending');
    view = applyRunEvents(view, [stage(['a'], 'succeeded', { rowsIn: null, rowsOut: 1234 }), stage(['b'], 'succeeded', { rowsIn: 1234 })]);
    expect(view.nodes.a).toEqual({ status: 'succeeded', rows: 1234, errorMessage: null });
    expect(view.nodes.b?.rows).toBe(1234);
    view = applyRunEvents(view, [{ type: 'run', status: 'succeeded' }]);
    expect(view.status).toBe('succeeded');
    expect(nodeDisplayStatus(view, 'unrelated')).toBe('idle');
  });

  it('gives a fused stage its status on every node and its row count on the last', () => {
    const view = applyRunEvents(startRunView('r1', 'running'), [stage(['f', 'g', 'out'], 'succeeded', { rowsIn: 10, rowsOut: 4 })]);
    expect(view.nodes.f).toEqual({ status: 'succeeded', rows: null, errorMessage: null });
    expect(view.nodes.g?.rows).toBeNull();
    expect(view.nodes.out?.rows).toBe(4);
  });

  it('marks the failing node from the run event', () => {
    const view = applyRunEvents(startRunView('r1', 'running'), [{ type: 'run', status: 'failed', errorMessage: 'Line 3 has 2 fields', errorNodeId: 'src' }]);
    expect(view.nodes.src).toEqual({ status: 'failed', rows: null, errorMessage: 'Line 3 has 2 fields' });
    expect(view.errorMessage).toBe('Line 3 has 2 fields');
    expect(view.errorNodeId).toBe('src');
  });

  it('keeps a bounded log of the newest lines, each once, with their times', () => {
    const logs: RunEvent[] = Array.from({ length: MAX_LOG_LINES + 5 }, (_, i) => ({ type: 'log', level: 'info', message: `line ${i}`, id: String(i + 1), at: new Date(T0 + i).toISOString() }));
    let view = applyRunEvents(startRunView('r1', 'running'), logs.slice(0, 10));
    // A reconnect replays what was already received.
    view = applyRunEvents(view, logs);
    expect(view.logs).toHaveLength(MAX_LOG_LINES);
    expect(MAX_LOG_LINES).toBe(2_000);
    expect(view.logs.at(-1)).toEqual({ id: String(MAX_LOG_LINES + 5), at: T0 + MAX_LOG_LINES + 4, level: 'info', message: `line ${MAX_LOG_LINES + 4}`, nodeId: null });
    expect(view.logs[0]?.message).toBe('line 5');
    expect(view.logsTrimmed).toBe(true);
    expect(applyRunEvents(startRunView('r1', 'running'), logs.slice(0, 10)).logsTrimmed).toBe(false);
  });

  it('times stages and the run from the events: a running stage has started, a finished one has ended', () => {
    const at = (ms: number) => new Date(T0 + ms).toISOString();
    let view = applyRunEvents(startRunView('r1', 'queued'), [
      { type: 'run', status: 'running', at: at(0) },
      { type: 'stage', stageId: 'src', nodeIds: ['src'], status: 'running', at: at(10) },
    ]);
    expect(view.startedAt).toBe(T0);
    expect(view.stages.src).toEqual({ status: 'running', startedAt: T0 + 10, finishedAt: null, attempts: null });
    view = applyRunEvents(view, [
      { type: 'stage', stageId: 'src', nodeIds: ['src'], status: 'succeeded', attempts: 2, at: at(500) },
      { type: 'stage', stageId: 'old', nodeIds: ['old'], status: 'reused', attempts: 0, at: at(510) },
      // A retried attempt of the run announces running again; the run started with the first.
      { type: 'run', status: 'running', at: at(600) },
      { type: 'run', status: 'succeeded', at: at(900) },
    ]);
    expect(view.stages.src).toEqual({ status: 'succeeded', startedAt: T0 + 10, finishedAt: T0 + 500, attempts: 2 });
    expect(view.stages.old).toEqual({ status: 'reused', startedAt: null, finishedAt: T0 + 510, attempts: 0 });
    expect([view.startedAt, view.finishedAt]).toEqual([T0, T0 + 900]);
  });

  it("prefers the database's stage times unless live events moved the stage further", () => {
    const stored = { status: 'running' as const, startedAt: new Date(T0 + 5), finishedAt: null, attempts: 0 };
    expect(stageTiming(stored, undefined)).toEqual({ status: 'running', startedAt: T0 + 5, finishedAt: null, attempts: null });
    expect(stageTiming(stored, { status: 'running', startedAt: T0 + 9, finishedAt: null, attempts: null })).toEqual({ status: 'running', startedAt: T0 + 5, finishedAt: null, attempts: null });
    expect(stageTiming(stored, { status: 'failed', startedAt: null, finishedAt: T0 + 50, attempts: 3 })).toEqual({ status: 'failed', startedAt: T0 + 5, finishedAt: T0 + 50, attempts: 3 });
    const done = { status: 'succeeded' as const, startedAt: new Date(T0), finishedAt: new Date(T0 + 40), attempts: 1 };
    expect(stageTiming(done, { status: 'running', startedAt: T0 + 1, finishedAt: null, attempts: null })).toEqual({ status: 'succeeded', startedAt: T0, finishedAt: T0 + 40, attempts: 1 });
  });

  it('returns the same view for no events', () => {
    const view = startRunView('r1', 'running');
    expect(applyRunEvents(view, [])).toBe(view);
  });
});

describe('snapshots', () => {
  const snapshot = (over: Partial<RunSnapshot> = {}): RunSnapshot => ({
    id: 'r1',
    status: 'running',
    errorMessage: null,
    errorNodeId: null,
    stages: [
      { nodeIds: ['a'], status: 'succeeded', rowsIn: null, rowsOut: 10, errorMessage: null },
      { nodeIds: ['b'], status: 'pending', rowsIn: null, rowsOut: null, errorMessage: null },
    ],
    ...over,
  });

  it('paints a finished run onto an empty view', () => {
    const view = mergeRunSnapshot(startRunView('r1', null), snapshot({ status: 'failed', errorNodeId: 'b', errorMessage: 'boom' }));
    expect(view.status).toBe('failed');
    expect(view.nodes.a).toEqual({ status: 'succeeded', rows: 10, errorMessage: null });
    expect(view.nodes.b).toEqual({ status: 'failed', rows: null, errorMessage: 'boom' });
  });

  it('never moves a node or the run backwards when the snapshot is older than the events', () => {
    let view = startRunView('r1', 'queued');
    view = applyRunEvents(view, [{ type: 'run', status: 'succeeded' }, stage(['b'], 'succeeded', { rowsOut: 7 })]);
    view = mergeRunSnapshot(view, snapshot());
    expect(view.status).toBe('succeeded');
    expect(view.nodes.b).toEqual({ status: 'succeeded', rows: 7, errorMessage: null });
    expect(view.nodes.a?.status).toBe('succeeded');
  });

  it('ignores a snapshot of another run', () => {
    const view = startRunView('r2', 'queued');
    expect(mergeRunSnapshot(view, snapshot())).toBe(view);
    expect(mergeRunSnapshot(emptyRunView, snapshot())).toBe(emptyRunView);
  });
});
