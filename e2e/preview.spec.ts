// Previewing a node in the middle of a pipeline: its rows and per-column
// statistics; re-opening shows the same result at once, marked cached; a
// change below the node does not recompute the nodes above it (the server
// answers from its cache), while a change above it does.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page, type Response } from '@playwright/test';
import { createPipeline, importDocument, putWorkspaceFiles, settings, signUp } from './helpers';

const orders = ['order_id,customer,amount,status', '1,alice,10.5,paid', '2,bob,,paid', '3,carol,99,refunded', '4,alice,150.25,paid', '5,dan,7,pending'].join('\n');

const document = {
  formatVersion: 1,
  nodes: [
    {
      id: 'src',
      kind: 'csv-source',
      version: 1,
      label: 'Orders',
      position: { x: 40, y: 60 },
      config: {
        path: 'preview/orders.csv',
        delimiter: ',',
        quote: '"',
        escape: '"',
        header: true,
        columns: [
          { name: 'order_id', type: 'integer' },
          { name: 'customer', type: 'string' },
          { name: 'amount', type: 'float' },
          { name: 'status', type: 'string' },
        ],
      },
    },
    { id: 'paid', kind: 'filter', version: 1, label: 'Paid', position: { x: 340, y: 60 }, config: { combinator: 'and', rules: [{ column: 'status', op: 'eq', value: 'paid' }] } },
    { id: 'cols', kind: 'select-columns', version: 1, label: 'Columns', position: { x: 40, y: 240 }, config: { columns: ['order_id', 'amount'] } },
    { id: 'out', kind: 'file-sink', version: 1, label: 'Report', position: { x: 340, y: 240 }, config: { format: 'csv', path: 'preview/out/paid.csv' } },
  ],
  edges: [
    { id: 'e1', source: { node: 'src', port: 'output' }, target: { node: 'paid', port: 'input' } },
    { id: 'e2', source: { node: 'paid', port: 'output' }, target: { node: 'cols', port: 'input' } },
    { id: 'e3', source: { node: 'cols', port: 'output' }, target: { node: 'out', port: 'input' } },
  ],
};

interface PreviewPayload {
  ok: boolean;
  cached: boolean;
  rows: unknown[];
  sampleRows: number;
}

/** The preview answer in a (batched) tRPC response, which may hold other queries' answers too. */
async function previewPayload(response: Response): Promise<PreviewPayload> {
  const body = (await response.json()) as { result?: { data: { json: Partial<PreviewPayload> } } }[];
  const payload = body.map((b) => b.result?.data.json).find((json): json is PreviewPayload => Array.isArray(json?.rows));
  if (!payload) throw new Error(`no preview in ${JSON.stringify(body).slice(0, 300)}`);
  return payload;
}

const isPreview = (r: Response) => r.url().includes('pipeline.preview');

async function openPreview(page: Page, nodeId: string): Promise<void> {
  await page.locator(`[data-node-id="${nodeId}"]`).click();
  await page.getByTestId('preview-button').click();
  await expect(page.getByTestId('preview-panel')).toBeVisible();
}

test('preview a mid-pipeline node: rows, column statistics, cached re-opening, no upstream recompute for downstream edits', async ({ page }) => {
  await signUp(page);
  await createPipeline(page, 'Preview');
  const files = await putWorkspaceFiles(page, 'preview', { 'orders.csv': orders });
  await importDocument(page, document, 'out');

  // First preview of the filter: computed on the server, three paid orders, the sample's rows at most.
  const first = page.waitForResponse(isPreview);
  await openPreview(page, 'paid');
  const firstPayload = await previewPayload(await first);
  expect(firstPayload).toMatchObject({ ok: true, cached: false });
  expect(firstPayload.rows.length).toBeLessThanOrEqual(100);
  const panel = page.getByTestId('preview-panel');
  await expect(panel.getByTestId('preview-summary')).toContainText('3 of 3 row(s)');
  await expect(panel.getByTestId('preview-cached')).toHaveCount(0);
  const rows = panel.getByTestId('preview-rows').getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toHaveText(/1\s*alice\s*10\.5\s*paid/);
  await expect(rows.nth(1)).toHaveText(/2\s*bob\s*NULL\s*paid/);
  await expect(rows.nth(2)).toHaveText(/4\s*alice\s*150\.25\s*paid/);

  // Statistics per column: nulls, distinct, min, max.
  const stats = panel.getByTestId('preview-stats');
  await expect(stats.locator('tr[data-column="order_id"] td')).toHaveText(['order_id', 'integer', '0', '3', '1', '4']);
  await expect(stats.locator('tr[data-column="customer"] td')).toHaveText(['customer', 'string', '0', '2', 'alice', 'bob']);
  await expect(stats.locator('tr[data-column="amount"] td')).toHaveText(['amount', 'float', '1', '2', '10.5', '150.25']);
  await expect(stats.locator('tr[data-column="status"] td')).toHaveText(['status', 'string', '0', '1', 'paid', 'paid']);

  // Closing and re-opening on the same draft: the same result at once, marked cached, without asking the server.
  let requests = 0;
  page.on('request', (r) => {
    if (r.url().includes('pipeline.preview')) requests++;
  });
  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(panel).toHaveCount(0);
  await page.getByTestId('preview-button').click();
  await expect(panel.getByTestId('preview-cached')).toBeVisible();
  await expect(panel.getByTestId('preview-summary')).toContainText('3 of 3 row(s)');
  expect(requests).toBe(0);
  await panel.getByRole('button', { name: 'Close' }).click();

  // A change below the filter (the destination's path): the server answers from its cache, nothing upstream runs again.
  await page.locator('[data-node-id="out"]').click();
  await settings(page).getByLabel('Path', { exact: true }).fill('preview/out/elsewhere.csv');
  const afterDownstreamEdit = page.waitForResponse(isPreview);
  await openPreview(page, 'paid');
  expect(await previewPayload(await afterDownstreamEdit)).toMatchObject({ ok: true, cached: true });
  await expect(panel.getByTestId('preview-cached')).toBeVisible();
  await expect(panel.getByTestId('preview-rows').getByRole('row')).toHaveCount(3);
  await panel.getByRole('button', { name: 'Close' }).click();

  // A change above it (a setting of the source; its file grew meanwhile) is computed afresh.
  await writeFile(path.join(files, 'orders.csv'), `${orders}\n6,erin,20,paid`);
  await page.locator('[data-node-id="src"]').click();
  await settings(page).getByLabel('Quoted empty field ("") is NULL').click();
  const afterUpstreamChange = page.waitForResponse(isPreview);
  await openPreview(page, 'paid');
  expect(await previewPayload(await afterUpstreamChange)).toMatchObject({ ok: true, cached: false });
  await expect(panel.getByTestId('preview-summary')).toContainText('4 of 4 row(s)');
  await expect(panel.getByTestId('preview-cached')).toHaveCount(0);
});
