// Transforms through the form widgets, as a user builds them: CSV → derive a
// column (expression editor, column chips, a live "did you mean")
// → aggregate (group-by checkboxes, a list of aggregates) → sort (a list of
// sort keys with a toggle) → file; save, run, and check the file against
// totals computed here from the fixture.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { codeEditor, connect, dropNode, fillCodeEditor, fixtures, parseCsv, selectNode, settings, workspaceFile } from './helpers';

async function signUpAndCreatePipeline(page: Page, pipelineName: string): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill('Grace');
  await page.getByLabel('Email').fill(`grace-${randomUUID()}@example.com`);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/$/);

  await page.getByLabel('Pipeline name').fill(pipelineName);
  await page.getByRole('button', { name: 'Create pipeline' }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
}

/** Per status: the sum of amount * 2 and the number of rows, largest total first. */
async function expectedTotals(): Promise<{ status: string; total: number; count: number }[]> {
  const [header, ...rows] = parseCsv(await readFile(path.join(fixtures, 'orders.csv'), 'utf8'));
  const amount = header!.indexOf('amount');
  const status = header!.indexOf('status');
  const groups = new Map<string, { status: string; total: number; count: number }>();
  for (const row of rows) {
    const key = row[status]!;
    const group = groups.get(key) ?? { status: key, total: 0, count: 0 };
    group.total += Number(row[amount]) * 2;
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.total - a.total);
}

test('derive, aggregate and sort through the settings forms, then run', async ({ page }) => {
  await signUpAndCreatePipeline(page, 'Totals by status');

  // Five nodes, staggered so that neighbours do not overlap, wired in a chain.
  await dropNode(page, 'csv-source', 110, 80);
  await dropNode(page, 'derive-columns', 270, 240);
  await dropNode(page, 'aggregate', 430, 80);
  await dropNode(page, 'sort', 590, 240);
  await dropNode(page, 'file-sink', 750, 80);
  await connect(page, 'csv-source', 'derive-columns');
  await connect(page, 'derive-columns', 'aggregate');
  await connect(page, 'aggregate', 'sort');
  await connect(page, 'sort', 'file-sink');
  await expect(page.locator('.react-flow__edge')).toHaveCount(4);

  await selectNode(page, 'csv-source');
  await settings(page).getByLabel('File', { exact: true }).setInputFiles(path.join(fixtures, 'orders.csv'));
  await expect(settings(page).getByLabel('Path', { exact: true })).toHaveValue(/^uploads\/.*\/orders\.csv$/);

  // Derive columns: the input's columns appear as chips; one inserts its quoted name into the expression.
  await selectNode(page, 'derive-columns');
  await settings(page).getByLabel('Column 1 name', { exact: true }).fill('gross');
  const { input: expression, lines: expressionText } = codeEditor(page, 'Column 1 expression');
  const chips = settings(page).getByRole('group', { name: 'Columns for Column 1 expression' });
  await expect(chips.getByRole('button')).toHaveText(['order_id', 'customer', 'amount', 'status']);
  await expect(expression).toBeVisible();
  await chips.getByRole('button', { name: 'Insert column amount' }).click();
  await expect(expressionText).toHaveText('"amount"');
  await expect(expression).toBeFocused();

  // A misspelt column is reported live, on the node and in the form, with a suggestion.
  await fillCodeEditor(page, 'Column 1 expression', 'amont * 2');
  const deriveNode = page.getByTestId('node-derive-columns');
  const badge = deriveNode.getByTestId('node-diagnostics');
  await expect(badge).toHaveAttribute('data-severity', 'error');
  await expect(badge).toHaveText('1');
  await expect(badge).toHaveAttribute('title', /did you mean "amount"/);
  await expect(settings(page).getByTestId('node-problems')).toContainText('did you mean "amount"');
  await expect(settings(page).getByTestId('field-error')).toContainText('did you mean "amount"');
  await expect(expression).toHaveAttribute('aria-invalid', 'true');

  // Typed correctly, the problem goes away.
  await fillCodeEditor(page, 'Column 1 expression', 'amount * 2');
  await expect(expressionText).toHaveText('amount * 2');
  await expect(badge).toHaveCount(0);
  await expect(settings(page).getByText('No problems found.')).toBeVisible();
  await expect(expression).toHaveAttribute('aria-invalid', 'false');

  // Aggregate: group by status (a checkbox per input column, derived ones included), sum of gross and a row count.
  await selectNode(page, 'aggregate');
  await expect(settings(page).getByLabel('gross', { exact: true })).toBeVisible();
  await settings(page).getByLabel('status', { exact: true }).check();
  await settings(page).getByLabel('Aggregate 1 function', { exact: true }).selectOption({ label: 'Sum' });
  await settings(page).getByLabel('Aggregate 1 column', { exact: true }).selectOption('gross');
  await settings(page).getByLabel('Aggregate 1 output name', { exact: true }).fill('total');
  await settings(page).getByRole('button', { name: 'Add aggregate' }).click();
  await expect(settings(page).getByLabel('Aggregate 2 function', { exact: true })).toHaveValue('count');
  await expect(settings(page).getByLabel('Aggregate 2 function', { exact: true })).toBeFocused();
  await expect(settings(page).getByLabel('Aggregate 2 column', { exact: true })).toHaveValue('');
  await expect(settings(page).getByText('No problems found.')).toBeVisible();

  // Sort: one key, total descending; its column list is the aggregate's output.
  await selectNode(page, 'sort');
  await settings(page).getByRole('button', { name: 'Add sort key' }).click();
  const sortColumn = settings(page).getByLabel('Sort key 1 column', { exact: true });
  await expect(sortColumn.getByRole('option', { name: 'total', exact: true })).toHaveCount(1);
  await expect(sortColumn.locator('option:not([disabled])')).toHaveText(['status', 'total', 'count']);
  await sortColumn.selectOption('total');
  await settings(page).getByLabel('Sort key 1 descending', { exact: true }).check();
  await expect(settings(page).getByLabel('Sort key 1 NULLs first', { exact: true })).not.toBeChecked();
  await expect(settings(page).getByText('No problems found.')).toBeVisible();

  await selectNode(page, 'file-sink');
  await settings(page).getByLabel('Path', { exact: true }).fill('out/by_status.csv');
  await expect(settings(page).getByText('No problems found.')).toBeVisible();
  await expect(page.getByTestId('node-diagnostics')).toHaveCount(0);

  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved v1')).toBeVisible();

  await page.getByRole('button', { name: 'Run' }).click();
  for (const kind of ['csv-source', 'derive-columns', 'aggregate', 'sort', 'file-sink']) {
    await expect(page.getByTestId(`node-${kind}`)).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  }
  const expected = await expectedTotals();
  await expect(page.getByTestId('node-derive-columns').getByTestId('node-rows')).toHaveText('40 rows');
  // Aggregate and sort run fused into the sink's statement: the count shows on the sink.
  await expect(page.getByTestId('node-file-sink').getByTestId('node-rows')).toHaveText(`${expected.length} rows`);
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'succeeded');

  // One row per status, largest total first.
  const [header, ...rows] = parseCsv(await workspaceFile('out/by_status.csv'));
  expect(header).toEqual(['status', 'total', 'count']);
  expect(rows.map((r) => r[0])).toEqual(expected.map((e) => e.status));
  rows.forEach((row, i) => {
    expect(Number(row[1]), `total of ${row[0]}`).toBeCloseTo(expected[i]!.total, 6);
    expect(row[2], `count of ${row[0]}`).toBe(String(expected[i]!.count));
  });
});
