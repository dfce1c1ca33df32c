// A worker-level run of postgres-source → file-sink: the connection is stored
// encrypted and decrypted by the worker; the second run of an incremental
// source reads only the rows added since the first; a failed run leaves the
// watermark where it was; "full refresh" reads everything again.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_VERSION, type VisualPipeline } from '../pipeline/model';
import { useTestWorkspace } from '../testing/workspace';

const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;

describe('a run reading PostgreSQL through a stored connection', () => {
  const schema = `sluice_run_${randomBytes(4).toString('hex')}`;
  const role = `sluice_reader_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  let connectionId: string;
  const ws = useTestWorkspace({ database: 'pglite', email: 'etl@example.com', keyring: true, worker: {} });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.events (id bigint PRIMARY KEY, at timestamptz NOT NULL, name text, amount numeric(12,2))`);
    await admin.query(`INSERT INTO ${schema}.events VALUES (1, '2024-01-01 10:00:00+00', 'alpha', 1.50), (2, '2024-01-02 10:00:00+00', 'béta', NULL), (3, '2024-01-03 10:00:00.25+00', NULL, -3.00)`);
    // A login role with a password, so the stored secret is what lets the run in (pg_hba trusts it anyway; the password still travels).
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`);
    await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);

    const created = await ws.caller.connection.create({
      name: 'Events DB',
      settings: { type: 'postgres', host: '127.0.0.1', port: 5432, database: 'test', user: role, password: PASSWORD, ssl: 'disable' },
    });
    connectionId = created.id;
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.query(`DROP ROLE ${role}`);
    await admin.end();
  });

  function pipeline(o: { connection?: string; output?: string } = {}): VisualPipeline {
    return {
      formatVersion: FORMAT_VERSION,
      nodes: [
        {
          id: 'events',
          kind: 'postgres-source',
          version: 1,
          label: 'Events',
          position: { x: 0, y: 0 },
          config: {
            connectionId: o.connection ?? connectionId,
            mode: 'table',
            schema,
            table: 'events',
            columns: [
              { name: 'id', type: 'integer' },
              { name: 'at', type: 'timestamp' },
              { name: 'name', type: 'string' },
              { name: 'amount', type: 'float' },
            ],
            incrementalColumn: 'at',
          },
        },
        { id: 'out', kind: 'file-sink', version: 1, position: { x: 300, y: 0 }, config: { format: 'csv', path: o.output ?? 'out/events.csv' } },
      ],
      edges: [{ id: 'e', source: { node: 'events', port: 'output' }, target: { node: 'out', port: 'input' } }],
    };
  }

  async function runToEnd(pipelineId: string) {
    const { runId } = await ws.caller.run.start({ pipelineId });
    // The subscription ends after the run's final status.
    const stream = await ws.caller.run.events({ runId });
    for await (const envelope of stream) expect(envelope).toBeDefined();
    return ws.caller.run.get({ runId });
  }

  it('reads everything first, then only new rows; a failed run keeps the watermark; a full refresh starts over', async () => {
    const { id } = await ws.caller.pipeline.create({ name: 'events' });
    await ws.caller.pipeline.save({ id, document: pipeline(), baseVersion: 0 });

    const first = await runToEnd(id);
    expect(first).toMatchObject({ status: 'succeeded', rowsRead: 3, rowsWritten: 3 });
    expect(await readFile(path.join(ws.files, 'out/events.csv'), 'utf8')).toBe(
      'id,at,name,amount\n1,2024-01-01 10:00:00,alpha,1.5\n2,2024-01-02 10:00:00,béta,\n3,2024-01-03 10:00:00.25,,-3.0\n',
    );
    expect(await ws.caller.pipeline.watermarks({ id })).toEqual([expect.objectContaining({ nodeId: 'events', column: 'at', type: 'timestamp', value: '2024-01-03 10:00:00.25' })]);

    await admin.query(`INSERT INTO ${schema}.events VALUES (4, '2024-01-03 10:00:00.250001+00', 'new', 4), (5, '2023-12-31 00:00:00+00', 'late arrival', 5)`);
    const second = await runToEnd(id);
    expect(second).toMatchObject({ status: 'succeeded', rowsRead: 1, rowsWritten: 1 });
    expect(await readFile(path.join(ws.files, 'out/events.csv'), 'utf8')).toBe('id,at,name,amount\n4,2024-01-03 10:00:00.250001,new,4.0\n');
    expect((await ws.caller.pipeline.watermarks({ id }))[0]?.value).toBe('2024-01-03 10:00:00.250001');

    // A run that fails after reading must not move the watermark.
    await admin.query(`INSERT INTO ${schema}.events VALUES (6, '2024-02-01 00:00:00+00', 'x', 6)`);
    // A folder where the output file should go: the sink fails after the source has read.
    await rm(path.join(ws.files, 'out'), { recursive: true, force: true });
    await mkdir(path.join(ws.files, 'out', 'events.csv'), { recursive: true });
    const failed = await runToEnd(id);
    expect(failed.status).toBe('failed');
    expect((await ws.caller.pipeline.watermarks({ id }))[0]?.value).toBe('2024-01-03 10:00:00.250001');
    await rm(path.join(ws.files, 'out'), { recursive: true, force: true });

    const third = await runToEnd(id);
    expect(third).toMatchObject({ status: 'succeeded', rowsRead: 1 });
    expect(await readFile(path.join(ws.files, 'out/events.csv'), 'utf8')).toBe('id,at,name,amount\n6,2024-02-01 00:00:00,x,6.0\n');

    expect(await ws.caller.pipeline.resetWatermarks({ id })).toEqual({ cleared: 1 });
    const refreshed = await runToEnd(id);
    expect(refreshed).toMatchObject({ status: 'succeeded', rowsRead: 6, rowsWritten: 6 });

    // The password appears in no run record.
    const events = await ws.db.prisma.runEvent.findMany({ where: { run: { pipelineId: id } } });
    const runs = await ws.db.prisma.run.findMany({ where: { pipelineId: id } });
    const bigints = (_key: string, value: unknown) => (typeof value === 'bigint' ? String(value) : value);
    expect(JSON.stringify(events, bigints) + JSON.stringify(runs, bigints)).not.toContain(PASSWORD);
  }, 60_000);

  it('fails with CONNECTION_NOT_FOUND naming the node when the connection is gone', async () => {
    const { id } = await ws.caller.pipeline.create({ name: 'orphan' });
    await ws.caller.pipeline.save({ id, document: pipeline({ connection: '0b9a7c64-5d7e-4f43-9a35-2f6f0f1b1f00', output: 'out/orphan.csv' }), baseVersion: 0 });
    const run = await runToEnd(id);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CONNECTION_NOT_FOUND', errorNodeId: 'events' });
    expect(run.errorMessage).toBe('"Events" uses a connection that does not exist in this workspace (it may have been deleted). Choose another connection.');
  }, 30_000);
});
