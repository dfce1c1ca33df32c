// Resuming a failed run from the run view: one branch writes its file, the
// other cannot (a file blocks its folder); once it is unblocked and the source
// is gone, "Resume from failed stage" finishes the run by reusing the source
// and the finished branch, and says so.
import { access, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createPipeline, importDocument, parseCsv, putWorkspaceFiles, signUp } from './helpers';

const orders = ['order_id,customer,amount,status', '1,alice,10.5,paid', '2,bob,99.0,refunded', '3,"carol, jr",150.25,paid'].join('\n');

const document = {
  formatVersion: 1,
  nodes: [
    {
      id: 'src',
      kind: 'csv-source',
      version: 1,
      label: 'Orders',
      position: { x: 80, y: 160 },
      config: {
        path: 'resume/orders.csv',
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
    { id: 'out_a', kind: 'file-sink', version: 1, label: 'Archive', position: { x: 420, y: 60 }, config: { format: 'csv', path: 'resume/a/orders.csv' } },
    { id: 'out_b', kind: 'file-sink', version: 1, label: 'Report', position: { x: 420, y: 280 }, config: { format: 'csv', path: 'resume/blocked/orders.csv' } },
  ],
  edges: [
    { id: 'e1', source: { node: 'src', port: 'output' }, target: { node: 'out_a', port: 'input' } },
    { id: 'e2', source: { node: 'src', port: 'output' }, target: { node: 'out_b', port: 'input' } },
  ],
};

test('resume a partially succeeded run from its failed stage', async ({ page }) => {
  await signUp(page);
  await createPipeline(page, 'Resumable');
  const files = await putWorkspaceFiles(page, 'resume', { 'orders.csv': orders, blocked: 'a file where a folder should be' });

  await importDocument(page, document, 'out_b');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved v1')).toBeVisible();

  await page.getByRole('button', { name: 'Run' }).click();
  const firstRun = page.getByTestId('run-row').first();
  await expect(firstRun).toHaveAttribute('data-status', 'partially_succeeded', { timeout: 60_000 });
  const failedRunId = (await firstRun.getAttribute('data-run-id')) ?? '';
  await expect(page.locator('[data-node-id="out_b"]')).toHaveAttribute('data-status', 'failed');

  // Unblock the failed branch, and take the source away: only a reused source lets the resume finish.
  await rm(path.join(files, 'blocked'));
  await rm(path.join(files, 'orders.csv'));
  await page.getByRole('button', { name: 'Resume from failed stage' }).click();

  const resumedRun = page.getByTestId('run-row').first();
  await expect(resumedRun).not.toHaveAttribute('data-run-id', failedRunId);
  await expect(resumedRun).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(resumedRun.getByTestId('run-resumed')).toBeVisible();
  await expect(page.getByTestId('resumed-from')).toHaveText(`Resumed from run ${failedRunId.slice(0, 8)} — 2 stages reused`);
  await expect(page.locator('[data-node-id="src"]')).toHaveAttribute('data-status', 'reused');
  await expect(page.locator('[data-node-id="out_a"]')).toHaveAttribute('data-status', 'reused');
  await expect(page.locator('[data-node-id="out_b"]')).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('run-stage').filter({ hasText: 'Orders' }).getByTestId('status-badge')).toHaveText('reused');

  expect(parseCsv(await readFile(path.join(files, 'blocked', 'orders.csv'), 'utf8'))).toEqual(parseCsv(orders));
  await expect(access(path.join(files, 'a', 'orders.csv'))).resolves.toBeUndefined();

  // The failed run stays in the list, resumed, and offers no second resume.
  await page.locator(`[data-testid="run-row"][data-run-id="${failedRunId}"]`).click();
  await expect(page.getByTestId('resumed-by')).toContainText('Resumed by run');
  await expect(page.getByRole('button', { name: 'Resume from failed stage' })).toHaveCount(0);
});
