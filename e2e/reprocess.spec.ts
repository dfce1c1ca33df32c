// Reprocessing rejected rows from the run view: a run loads the orders that fit
// into PostgreSQL and rejects the others (a CSV line that does not fit, amounts
// that do not convert); once the pipeline is fixed and saved, "Reprocess 4 rows
// with the latest version" loads just those, and both runs link to each other.
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { createPipeline, importDocument, putWorkspaceFiles, signUp } from './helpers';

const orders = ['order_id,customer,qty,amount', '1,alice,1,10.5', '2,bob,2,12.50 EUR', '3,carol,1,7', '4,dan,10000000000000000000,5', '5,emile,3,1e3', '6,fay,1,"3,5"'].join('\n');
const schema = `sluice_e2e_reprocess_${randomBytes(4).toString('hex')}`;

function document(connectionId: string, fixed: boolean) {
  const chain = [
    {
      id: 'src',
      kind: 'csv-source',
      version: 1,
      label: 'Orders',
      position: { x: 80, y: 160 },
      config: {
        path: 'reprocess/orders.csv',
        header: true,
        onMalformedRow: 'deadLetter',
        columns: [
          { name: 'order_id', type: 'integer' },
          { name: 'customer', type: 'string' },
          { name: 'qty', type: fixed ? 'float' : 'integer' },
          { name: 'amount', type: 'string' },
        ],
      },
    },
    ...(fixed
      ? [{ id: 'clean', kind: 'derive-columns', version: 1, label: 'Clean amounts', position: { x: 260, y: 160 }, config: { columns: [{ name: 'amount', expression: "replace(replace(amount, ' EUR', ''), ',', '.')" }] } }]
      : []),
    { id: 'typed', kind: 'cast-columns', version: 1, label: 'Amounts', position: { x: 440, y: 160 }, config: { casts: [{ column: 'amount', to: 'float' }], onError: 'reject' } },
    { id: 'load', kind: 'postgres-sink', version: 1, label: 'Warehouse orders', position: { x: 620, y: 160 }, config: { connectionId, schema, table: 'orders', mode: 'append' } },
  ];
  return {
    formatVersion: 1,
    nodes: chain,
    edges: chain.slice(1).map((n, i) => ({ id: `e${i}`, source: { node: chain[i]?.id ?? '', port: 'output' }, target: { node: n.id, port: 'input' } })),
  };
}

const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
test.beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`CREATE TABLE ${schema}.orders (order_id bigint, customer text, qty double precision, amount double precision)`);
});
test.afterAll(async () => {
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
});

test('reprocess the rejected rows of a run once the pipeline is fixed', async ({ page }) => {
  await signUp(page);
  await createPipeline(page, 'Reprocessable');
  await putWorkspaceFiles(page, 'reprocess', { 'orders.csv': orders });
  const created = await page.request.post('/api/trpc/connection.create', {
    data: { json: { name: 'Warehouse', settings: { type: 'postgres', host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', password: '', ssl: 'disable' } } },
  });
  expect(created.ok()).toBe(true);
  const connectionId = ((await created.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;

  const load = async (fixed: boolean, version: number) => {
    await importDocument(page, document(connectionId, fixed), 'load');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText(`Saved v${version}`)).toBeVisible();
  };
  await load(false, 1);
  await page.getByRole('button', { name: 'Run' }).click();
  const firstRun = page.getByTestId('run-row').first();
  await expect(firstRun).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(firstRun.getByTestId('run-rejected')).toHaveText('3');
  const firstRunId = (await firstRun.getAttribute('data-run-id')) ?? '';

  await load(true, 2);
  await page.locator(`[data-testid="run-row"][data-run-id="${firstRunId}"]`).click();
  await expect(page.getByTestId('rejected-row')).toHaveCount(3);
  await page.getByRole('button', { name: 'Reprocess 3 rows with the latest version' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm reprocessing' });
  await expect(confirm).toContainText('Run v2 over these 3 rows only?');
  await confirm.getByRole('button', { name: 'Reprocess' }).click();

  const reprocessRun = page.getByTestId('run-row').first();
  await expect(reprocessRun).not.toHaveAttribute('data-run-id', firstRunId);
  await expect(reprocessRun).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(reprocessRun.getByTestId('run-reprocess')).toBeVisible();
  const reprocessRunId = (await reprocessRun.getAttribute('data-run-id')) ?? '';
  await expect(page.getByTestId('reprocess-of')).toContainText(`Reprocess of run ${firstRunId.slice(0, 8)}`);

  const rows = await admin.query<{ order_id: string; amount: number }>(`SELECT order_id, amount FROM ${schema}.orders ORDER BY order_id`);
  expect(rows.rows.map((r) => [Number(r.order_id), r.amount])).toEqual([
    [1, 10.5],
    [2, 12.5],
    [3, 7],
    [4, 5],
    [5, 1000],
    [6, 3.5],
  ]);

  // The first run links to its reprocess, its rows say so, and it offers no second one.
  await page.locator(`[data-testid="run-row"][data-run-id="${firstRunId}"]`).click();
  await expect(page.getByTestId('reprocessed-by')).toHaveText(`Reprocessed by run ${reprocessRunId.slice(0, 8)}`);
  await expect(page.getByTestId('rejected-row-reprocessed')).toHaveCount(3);
  await expect(page.getByTestId('reprocess-blocked')).toHaveText(`This run's rejected rows were already reprocessed by run ${reprocessRunId.slice(0, 8)}.`);
  await expect(page.getByRole('button', { name: /^Reprocess \d+ rows? with the latest version$/ })).toHaveCount(0);
});
