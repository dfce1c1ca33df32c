// The run view while a run happens: a Gantt bar per stage that grows while the
// stage runs and ends with its duration, and the run's log lines arriving live
// in the log tail, which pages older lines from the server once it is full.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createPipeline, importDocument, putWorkspaceFiles, shareOneAccount } from './helpers';

shareOneAccount('run-view');

const columns = [
  { name: 'order_id', type: 'integer' },
  { name: 'customer', type: 'string' },
];

/** CSV source → JavaScript (one batch at a time, logging and taking its time) → CSV file. */
function pipeline(folder: string, code: string, batchRows: number) {
  return {
    formatVersion: 1,
    nodes: [
      {
        id: 'src',
        kind: 'csv-source',
        version: 1,
        label: 'Orders',
        position: { x: 80, y: 160 },
        config: { path: `${folder}/orders.csv`, delimiter: ',', quote: '"', escape: '"', header: true, columns },
      },
      { id: 'slow', kind: 'javascript', version: 1, label: 'Slow step', position: { x: 360, y: 160 }, config: { code, columns, batchRows, timeoutSeconds: 30, memoryMb: 64 } },
      { id: 'out', kind: 'file-sink', version: 1, label: 'Copy', position: { x: 640, y: 160 }, config: { format: 'csv', path: `${folder}/copy.csv` } },
    ],
    edges: [
      { id: 'e1', source: { node: 'src', port: 'output' }, target: { node: 'slow', port: 'input' } },
      { id: 'e2', source: { node: 'slow', port: 'output' }, target: { node: 'out', port: 'input' } },
    ],
  };
}

/** Creates the pipeline, puts its input in the workspace, imports and saves the document. */
async function preparePipeline(page: Page, name: string, folder: string, rows: number, document: unknown): Promise<void> {
  await createPipeline(page, name);
  await putWorkspaceFiles(page, folder, { 'orders.csv': ['order_id,customer', ...Array.from({ length: rows }, (_, i) => `${i + 1},customer ${i + 1}`)].join('\n') });
  await importDocument(page, document, 'out');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved v1')).toBeVisible();
}

/** The log list is scrolled to its last line (the details pane around it may itself be scrolled anywhere). */
const scrolledToEnd = (log: Locator) => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight <= 16 && el.scrollHeight > el.clientHeight);

/** How long a running stage's bar says it has run, in ms (its label reads "running for 850 ms" or "running for 1.2 s"). */
const runningForMs = async (page: Page, stageId: string): Promise<number> => {
  const label = (await page.locator(`[data-testid="gantt-row"][data-stage-id="${stageId}"]`).getAttribute('aria-label')) ?? '';
  const match = /running for ([\d.]+) (ms|s)\b/.exec(label);
  return match ? Number(match[1]) * (match[2] === 's' ? 1000 : 1) : -1;
};

test('the Gantt chart grows while stages run and the log tail shows lines as they are written', async ({ page }) => {
  // Each batch of one row logs, then keeps the stage busy for a while: the run takes a few seconds.
  const code = [
    'function transform(rows) {',
    "  for (const row of rows) console.log('processing order ' + row.order_id);",
    '  const until = Date.now() + 1500;',
    '  while (Date.now() < until) {}',
    '  return rows;',
    '}',
  ].join('\n');
  await preparePipeline(page, 'Live status', 'live', 3, pipeline('live', code, 1));

  await page.getByRole('button', { name: 'Run' }).click();
  const run = page.getByTestId('run-row').first();
  const log = page.getByTestId('run-log');

  // The first batch's line arrives while the run still runs (two more batches of 1.5 s follow).
  await expect(log.getByTestId('log-line').filter({ hasText: 'processing order 1' })).toBeVisible();
  await expect(log.getByTestId('log-line').filter({ hasText: 'processing order 1' })).toContainText('[Slow step]');
  await expect(run).toHaveAttribute('data-status', 'running');
  await expect(log.getByTestId('log-line').filter({ hasText: 'processing order 3' })).toHaveCount(0);

  // The stage doing the work has a bar that grows while it runs.
  const running = page.locator('[data-testid="gantt-row"][data-status="running"]');
  await expect(running).toHaveCount(1);
  const runningStage = (await running.getAttribute('data-stage-id')) ?? '';
  await expect(running).toHaveAttribute('aria-label', /running for/);
  const before = await runningForMs(page, runningStage);
  expect(before).toBeGreaterThanOrEqual(0);
  await expect.poll(() => runningForMs(page, runningStage), { timeout: 10_000 }).toBeGreaterThan(before + 300);

  await expect(log.getByTestId('log-line').filter({ hasText: 'processing order 3' })).toBeVisible();
  await expect(run).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });

  // Finished: one bar per stage, each with its duration, on a time axis.
  const stageCount = await page.getByTestId('run-stage').count();
  expect(stageCount).toBeGreaterThan(0);
  const rows = page.getByTestId('gantt-row');
  await expect(rows).toHaveCount(stageCount);
  for (let i = 0; i < stageCount; i++) {
    const row = rows.nth(i);
    await expect(row).toHaveAttribute('data-status', 'succeeded');
    await expect(row.getByTestId('gantt-bar')).toBeVisible();
    await expect(row.getByTestId('gantt-duration')).toHaveText(/^\d+(\.\d)? (ms|s)$/);
    await expect(row).toHaveAttribute('aria-label', /: succeeded, took \d+(\.\d)? (ms|s), started at \+/);
  }
  // The slow stage took at least its three batches of 1.5 s.
  const slowRow = page.locator(`[data-testid="gantt-row"][data-stage-id="${runningStage}"]`);
  const seconds = Number((await slowRow.getByTestId('gantt-duration').textContent())?.replace(' s', ''));
  expect(seconds).toBeGreaterThanOrEqual(4.5);
  await expect(page.getByTestId('gantt-axis')).toContainText('0');
  await expect(page.getByTestId('gantt-axis')).toContainText('2s');

  // The lines arrived in order, with their times.
  const processing = log.getByTestId('log-line').filter({ hasText: 'processing order' });
  await expect(processing).toHaveText([/processing order 1$/, /processing order 2$/, /processing order 3$/]);
  await expect(processing.first().locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
});

test('a long log keeps its newest lines, pages older ones on demand and filters by level', async ({ page }) => {
  // 650 rows in batches of 50: one line per row, a warning every 100th row.
  const code = [
    'function transform(rows) {',
    '  for (const row of rows) {',
    "    if (row.order_id % 100 === 0) console.warn('hundredth row ' + row.order_id);",
    "    else console.log('row ' + row.order_id);",
    '  }',
    '  return rows;',
    '}',
  ].join('\n');
  await preparePipeline(page, 'Long log', 'long', 650, pipeline('long', code, 50));
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });

  // Opened afterwards, the run shows the newest page of its log, followed to the end.
  await page.reload();
  await page.getByTestId('run-row').first().click();
  const log = page.getByTestId('run-log');
  await expect(log.getByTestId('log-line')).toHaveCount(500);
  await expect(log.getByTestId('log-line').filter({ hasText: /row 650$/ })).toHaveCount(1);
  await expect.poll(() => scrolledToEnd(log)).toBe(true);
  await expect(log.getByTestId('log-line').filter({ hasText: /row 1$/ })).toHaveCount(0);

  // Scrolling up pauses following; older lines come from the server.
  await log.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(page.getByRole('button', { name: /Jump to latest/ })).toBeVisible();
  await page.getByRole('button', { name: 'Load earlier lines' }).click();
  await expect(log.getByTestId('log-line').filter({ hasText: /row 1$/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Load earlier lines' })).toHaveCount(0);
  await expect.poll(() => scrolledToEnd(log)).toBe(false);
  await page.getByRole('button', { name: /Jump to latest/ }).click();
  await expect.poll(() => scrolledToEnd(log)).toBe(true);
  await expect(page.getByRole('button', { name: /Jump to latest/ })).toHaveCount(0);

  // Warnings only: the six hundredth rows.
  await page.getByRole('group', { name: 'Levels shown' }).getByRole('button', { name: 'warn' }).click();
  await expect(log.getByTestId('log-line')).toHaveText([100, 200, 300, 400, 500, 600].map((n) => new RegExp(`hundredth row ${n}$`)));
  // The stage filter narrows to lines about that stage's nodes.
  await page.getByRole('group', { name: 'Levels shown' }).getByRole('button', { name: 'warn' }).click();
  await page.getByRole('combobox', { name: 'Stage' }).selectOption({ label: 'Slow step' });
  await expect(log.getByTestId('log-line').first()).toContainText('[Slow step]');
  await expect(log.getByTestId('log-line').filter({ hasNotText: '[Slow step]' })).toHaveCount(0);
  await page.getByRole('combobox', { name: 'Stage' }).selectOption({ label: 'Copy' });
  await expect(log.getByTestId('log-line').filter({ hasText: /row \d+$/ })).toHaveCount(0);
});
