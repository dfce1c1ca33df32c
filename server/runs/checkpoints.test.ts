import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../testing/db';
import { castPipeline } from '../testing/pipelines';
import { useTestWorkspace } from '../testing/workspace';
import { attemptsBefore, discardCheckpoint, resumeBlocker, type ResumableFacts } from './checkpoints';
import { attemptCheckpointDir } from '../engine/checkpoint';
import { executeRun } from './execute-run';

describe('resumeBlocker', () => {
  const now = new Date('2026-01-10T12:00:00Z');
  const run = (over: Partial<ResumableFacts> = {}): ResumableFacts => ({ id: 'r1', status: 'failed', checkpointedAt: new Date('2026-01-10T00:00:00Z'), resumes: [], ...over });
  const blocker = (over: Partial<ResumableFacts>, retentionHours = 72) => resumeBlocker(run(over), { retentionHours, now });

  it('lets failed and partially succeeded runs with live checkpoints be resumed', () => {
    expect(blocker({})).toBeNull();
    expect(blocker({ status: 'partially_succeeded' })).toBeNull();
    // A cancelled resume does not count: the run may be resumed again.
    expect(blocker({ resumes: [{ id: 'r2', status: 'cancelled' }] })).toBeNull();
  });

  it('says why a run cannot be resumed', () => {
    expect(blocker({ status: 'running' })).toMatchObject({ code: 'RUN_NOT_RESUMABLE', message: 'Only failed or partially succeeded runs can be resumed; this run is running.' });
    expect(blocker({ status: 'cancelled' })).toMatchObject({ code: 'RUN_NOT_RESUMABLE', message: 'Only failed or partially succeeded runs can be resumed; this run was cancelled.' });
    expect(blocker({ resumes: [{ id: '12345678-aaaa', status: 'failed' }] })).toMatchObject({ code: 'RUN_NOT_RESUMABLE', details: { resumedByRunId: '12345678-aaaa' } });
    expect(blocker({ checkpointedAt: null })).toMatchObject({ code: 'CHECKPOINT_UNAVAILABLE' });
    // Kept at midnight: 12 hours keeps them until noon, which is now.
    expect(blocker({}, 12)).toMatchObject({ code: 'CHECKPOINT_UNAVAILABLE', message: 'The checkpoints of this run expired (they are kept 12 hour(s)). Run the pipeline from the start instead.' });
    expect(blocker({}, 12.5)).toBeNull();
  });
});

const columns = [
  { name: 'id', type: 'integer' as const },
  { name: 'qty', type: 'string' as const },
];
// Line 4 has a field too many (a dead letter of the source); rows 2 and 5 have a qty that is not a number (dead letters of the cast).
const quantities = ['id,qty', '1,10', '2,ten', '3,30,extra', '4,2', '5,four'].join('\n');

describe.each(testDatabaseKinds)('resuming on %s', (kind) => {
  const ws = useTestWorkspace({ database: kind, email: 'carla@example.com', files: { 'quantities.csv': quantities } });

  it('copies the dead letters of reused stages to the resumed run, and resumes once when asked twice at once', async () => {
    // The sink writes into a folder that a file blocks: the whole run fails after the source finished and the cast (fused
    // into the sink's stage) stored its rejects; the resumed run reuses the source and runs the cast and the sink again.
    const document = castPipeline({ sourcePath: 'quantities.csv', columns, casts: [{ column: 'qty', to: 'integer' }], onError: 'reject', onMalformedRow: 'deadLetter', sink: { format: 'csv', path: 'blocked/typed.csv' } });
    document.settings = { stageRetries: 0 };
    await writeFile(path.join(ws.files, 'blocked'), 'not a folder');
    const { id: pipelineId } = await ws.caller.pipeline.create({ name: 'quantities' });
    await ws.caller.pipeline.save({ id: pipelineId, document, baseVersion: 0 });
    const { runId: failedId } = await ws.caller.run.start({ pipelineId });
    expect(await executeRun(failedId, { db: ws.db.prisma, bus: ws.services.bus, dataDir: ws.dataDir })).toBe('failed');
    const failed = await ws.caller.run.get({ runId: failedId });
    expect(failed).toMatchObject({ status: 'failed', errorNodeId: 'out', rowsRejected: 3, canResume: true });

    const attempts = await Promise.allSettled([ws.caller.run.resume({ runId: failedId }), ws.caller.run.resume({ runId: failedId })]);
    const started = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value.runId] : []));
    const refused = attempts.flatMap((a) => (a.status === 'rejected' ? [a.reason as Error] : []));
    expect(started).toHaveLength(1);
    expect(refused.map((e) => e.message)).toEqual([`This run was already resumed by run ${started[0]?.slice(0, 8) ?? ''} (queued); resume that run instead, if it failed.`]);
    const runId = started[0] ?? '';

    await rm(path.join(ws.files, 'blocked'));
    expect(await executeRun(runId, { db: ws.db.prisma, bus: ws.services.bus, dataDir: ws.dataDir })).toBe('succeeded');
    const resumed = await ws.caller.run.get({ runId });
    expect(resumed).toMatchObject({ status: 'succeeded', rowsRead: 5, rowsWritten: 2, rowsRejected: 3 });
    expect(resumed.stages.map((s) => [s.stageId, s.status, s.rowsRejected])).toEqual([
      ['src', 'reused', 1],
      ['out', 'succeeded', 2],
    ]);
    expect(await readFile(path.join(ws.files, 'blocked/typed.csv'), 'utf8')).toBe('id,qty\n1,10\n4,2\n');
    const letters = async (id: string) => (await ws.caller.run.deadLetters({ runId: id })).items.map((d) => [d.nodeId, d.reason, d.sourceLine, d.rawLine, d.row]);
    expect(await letters(runId)).toEqual(await letters(failedId));
    expect(await letters(runId)).toEqual([
      ['src', 'CSV_MALFORMED_ROW', 4, '3,30,extra', null],
      ['typed', 'CAST_FAILED', null, null, { id: 2, qty: 'ten' }],
      ['typed', 'CAST_FAILED', null, null, { id: 5, qty: 'four' }],
    ]);
  });

  it('counts the attempts of every run resumed from the same first run, cancelled resumes included', async () => {
    const { id: pipelineId } = await ws.caller.pipeline.create({ name: 'tree' });
    await ws.caller.pipeline.save({ id: pipelineId, document: castPipeline({ sourcePath: 'quantities.csv', columns, casts: [], onError: 'fail' }), baseVersion: 0 });
    const version = await ws.db.prisma.pipelineVersion.findFirstOrThrow({ where: { pipelineId } });
    const base = { workspaceId: ws.workspaceId, pipelineId, versionId: version.id, requestedById: 'someone' };
    const make = (attempts: number, status: 'failed' | 'cancelled', resumedFromRunId?: string) =>
      ws.db.prisma.run.create({ data: { ...base, attempts, status, ...(resumedFromRunId ? { resumedFromRunId, trigger: 'resume' as const } : {}) } });
    const root = await make(2, 'failed');
    await make(1, 'cancelled', root.id);
    const second = await make(3, 'failed', root.id);
    const third = await make(1, 'failed', second.id);
    expect(await attemptsBefore(ws.db.prisma, root.id, third.id)).toBe(6);
    expect(await attemptsBefore(ws.db.prisma, root.id, 'not-in-the-tree')).toBe(7);
  });

  it('fails a resume whose checkpoint was removed or no longer fits the plan, telling to run from the start', async () => {
    const document = castPipeline({ sourcePath: 'quantities.csv', columns, casts: [{ column: 'qty', to: 'integer' }], onError: 'reject', onMalformedRow: 'deadLetter', sink: { format: 'csv', path: 'stuck/typed.csv' } });
    await writeFile(path.join(ws.files, 'stuck'), 'not a folder');
    const { id: pipelineId } = await ws.caller.pipeline.create({ name: 'stuck' });
    await ws.caller.pipeline.save({ id: pipelineId, document, baseVersion: 0 });
    const failedRun = async () => {
      const { runId } = await ws.caller.run.start({ pipelineId });
      await executeRun(runId, { db: ws.db.prisma, bus: ws.services.bus, dataDir: ws.dataDir });
      return runId;
    };

    const gone = await failedRun();
    const resumeOfGone = (await ws.caller.run.resume({ runId: gone })).runId;
    await discardCheckpoint(ws.db.prisma, ws.dataDir, gone);
    expect(await executeRun(resumeOfGone, { db: ws.db.prisma, bus: ws.services.bus, dataDir: ws.dataDir })).toBe('failed');
    expect(await ws.caller.run.get({ runId: resumeOfGone })).toMatchObject({ errorCode: 'CHECKPOINT_UNAVAILABLE', errorMessage: `The checkpoints of run ${gone} are gone, so it cannot be resumed. Run the pipeline from the start instead.` });

    // As after an upgrade of Sluice that plans the same version differently.
    const changed = await failedRun();
    const manifest = path.join(attemptCheckpointDir(ws.dataDir, changed, 1), 'manifest.json');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace(/"planHash": "[0-9a-f]+"/, `"planHash": "${'0'.repeat(64)}"`));
    const resumeOfChanged = (await ws.caller.run.resume({ runId: changed })).runId;
    expect(await executeRun(resumeOfChanged, { db: ws.db.prisma, bus: ws.services.bus, dataDir: ws.dataDir })).toBe('failed');
    const refused = await ws.caller.run.get({ runId: resumeOfChanged });
    expect(refused).toMatchObject({ errorCode: 'CHECKPOINT_MISMATCH', canResume: false });
    expect(refused.errorMessage).toMatch(/^The pipeline no longer compiles to the plan the checkpoints were made for .* Run the pipeline from the start instead\.$/);
    // No stage ran: the run failed before any.
    expect(refused.stages).toEqual([]);
  });
});
