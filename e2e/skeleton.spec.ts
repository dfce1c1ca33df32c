// The walking skeleton, as a new user does it: sign up, build
// CSV → filter → select columns → file on the canvas, save, run, watch the
// nodes turn green, and check the file; then a malformed row fails the run.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { connect, dropNode, fixtures, parseCsv, selectNode, settings, workspaceFile } from './helpers';

test('design, save, run and watch a pipeline end to end', async ({ page }) => {
  // Sign up (creates the user's workspace) and land on the pipelines page.
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill('Ada');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/$/);

  await page.getByLabel('Pipeline name').fill('Paid orders');
  await page.getByRole('button', { name: 'Create pipeline' }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);

  // Drag the four nodes onto the canvas and wire them.
  await dropNode(page, 'csv-source', 110, 120);
  await dropNode(page, 'filter', 330, 260);
  await dropNode(page, 'select-columns', 550, 120);
  await dropNode(page, 'file-sink', 770, 260);
  await connect(page, 'csv-source', 'filter');
  await connect(page, 'filter', 'select-columns');
  await connect(page, 'select-columns', 'file-sink');
  await expect(page.locator('.react-flow__edge')).toHaveCount(3);

  // Configure each node in the settings panel.
  await selectNode(page, 'csv-source');
  await settings(page).getByLabel('File', { exact: true }).setInputFiles(path.join(fixtures, 'orders.csv'));
  await expect(settings(page).getByLabel('Path', { exact: true })).toHaveValue(/^uploads\/.*\/orders\.csv$/);

  await selectNode(page, 'filter');
  await settings(page).getByRole('button', { name: 'Add condition' }).click();
  await settings(page).getByLabel('Condition 1 column').selectOption('status');
  await settings(page).getByLabel('Condition 1 operator').selectOption({ label: '=' });
  await settings(page).getByLabel('Condition 1 value').fill('paid');

  await selectNode(page, 'select-columns');
  for (const column of ['order_id', 'customer', 'amount']) await settings(page).getByLabel(column, { exact: true }).check();

  await selectNode(page, 'file-sink');
  await settings(page).getByLabel('Path', { exact: true }).fill('out/paid.csv');

  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved v1')).toBeVisible();

  // Run, and watch every node turn green with its row count.
  await page.getByRole('button', { name: 'Run' }).click();
  for (const kind of ['csv-source', 'filter', 'select-columns', 'file-sink']) {
    await expect(page.getByTestId(`node-${kind}`)).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  }
  const fixture = parseCsv(await readFile(path.join(fixtures, 'orders.csv'), 'utf8'));
  const [header, ...rows] = fixture;
  const statusIndex = header!.indexOf('status');
  const paid = rows.filter((r) => r[statusIndex] === 'paid');
  await expect(page.getByTestId('node-csv-source').getByTestId('node-rows')).toHaveText(`${rows.length.toLocaleString('en-US')} rows`);
  // The filter and the column selection run fused into the sink's statement: the count shows on the sink.
  await expect(page.getByTestId('node-file-sink').getByTestId('node-rows')).toHaveText(`${paid.length.toLocaleString('en-US')} rows`);
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'succeeded');

  // The file holds exactly the rows the filter keeps, with the selected columns.
  const written = parseCsv(await workspaceFile('out/paid.csv'));
  expect(written[0]).toEqual(['order_id', 'customer', 'amount']);
  const asTyped = (r: string[]) => [Number(r[0]), r[1], Number(r[2])];
  expect(written.slice(1).map(asTyped)).toEqual(paid.map((r) => asTyped([r[0]!, r[1]!, r[2]!])));

  // A malformed row fails the run at the source, with its line number; the old output stays as it was.
  const before = await workspaceFile('out/paid.csv');
  await selectNode(page, 'csv-source');
  await settings(page).getByLabel('File', { exact: true }).setInputFiles(path.join(fixtures, 'orders-malformed.csv'));
  await expect(settings(page).getByLabel('Path', { exact: true })).toHaveValue(/^uploads\/.*\/orders-malformed\.csv$/);
  // Sniffing saw "twelve" and offered amount as text; the declared type is the contract, so keep it a number.
  await expect(settings(page).getByLabel('Column 3 type')).toHaveValue('string');
  await settings(page).getByLabel('Column 3 type').selectOption('float');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByTestId('node-csv-source')).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
  const failedRun = page.getByTestId('run-row').first();
  await expect(failedRun).toHaveAttribute('data-status', 'failed');
  await expect(page.getByTestId('runs-panel')).toContainText('Line 5');
  await expect(page.getByTestId('runs-panel')).toContainText('twelve');
  expect(await workspaceFile('out/paid.csv')).toBe(before);
});
