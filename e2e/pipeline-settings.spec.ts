// The Pipeline panel as a user reaches it: run settings from the schema with
// their limits explained, a parameter declared, checked and used in a filter;
// saved, reloaded, undone, named in the version diff, and given a value when
// the pipeline runs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { connect, createPipeline, dropNode, fixtures, parseCsv, selectNode, settings, shareOneAccount, workspaceFile } from './helpers';

shareOneAccount('pipeline-settings');

const status = (page: Page) => page.getByTestId('save-status');
const pipelineTab = (page: Page) => settings(page).getByRole('tab', { name: 'Pipeline' });
const field = (page: Page, label: string) => settings(page).getByLabel(label, { exact: true });

async function save(page: Page, expected: string): Promise<void> {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(status(page)).toHaveText(expected);
}

test('settings and a parameter used in a filter: saved, reloaded, undone, diffed and given a value at run time', async ({ page }) => {
  await createPipeline(page, 'Big orders');
  await dropNode(page, 'csv-source', 120, 120);
  await dropNode(page, 'filter', 320, 260);
  await dropNode(page, 'file-sink', 520, 120);
  await connect(page, 'csv-source', 'filter');
  await connect(page, 'filter', 'file-sink');
  await selectNode(page, 'csv-source');
  await field(page, 'File').setInputFiles(path.join(fixtures, 'orders.csv'));
  await expect(field(page, 'Path')).toHaveValue(/orders\.csv$/);
  await selectNode(page, 'file-sink');
  await field(page, 'Path').fill('out/big.csv');

  // Settings: the form comes from the schema, with its help and its limits.
  await pipelineTab(page).click();
  await expect(settings(page).getByTestId('pipeline-panel')).toBeVisible();
  await expect(settings(page).getByText('Further attempts of a stage after a transient error')).toBeVisible();
  await expect(field(page, 'Stage retries')).toHaveAttribute('placeholder', 'Default: 2');
  await field(page, 'Stage retries').fill('11');
  await expect(settings(page).getByTestId('setting-error')).toHaveText('Stage retries must be a whole number from 0 to 10; 11 is not.');
  await expect(field(page, 'Stage retries')).toHaveAttribute('aria-invalid', 'true');
  await field(page, 'Stage retries').fill('4');
  await expect(settings(page).getByTestId('setting-error')).toHaveCount(0);
  await field(page, 'Stage timeout (seconds)').fill('600');

  // A parameter: a bad name and a bad default are explained, naming it.
  await settings(page).getByRole('button', { name: 'Add parameter' }).click();
  const name = field(page, 'Parameter param1 name');
  await name.fill('min amount');
  await expect(settings(page).getByTestId('parameter-error')).toContainText('"min amount" cannot name a parameter');
  await name.fill('min_amount');
  await name.press('Enter');
  await field(page, 'Parameter min_amount type').selectOption('float');
  await field(page, 'Parameter min_amount default').fill('lots');
  await expect(settings(page).getByTestId('parameter-error')).toHaveText('Default: Parameter "min_amount" expects a finite number, got "lots"');
  await field(page, 'Parameter min_amount default').fill('400');
  await expect(settings(page).getByTestId('parameter-error')).toHaveCount(0);
  await expect(settings(page).getByTestId('parameter-usages')).toContainText('Not used yet');

  // Used in the filter: the panel shows where.
  await selectNode(page, 'filter');
  await expect(settings(page).getByRole('tab', { name: 'Node' })).toHaveAttribute('aria-selected', 'true');
  await settings(page).getByRole('button', { name: 'Add condition' }).click();
  await field(page, 'Condition 1 column').selectOption('amount');
  await field(page, 'Condition 1 operator').selectOption('gt');
  await field(page, 'Condition 1 value').fill('{{params.min_amount}}');
  await pipelineTab(page).click();
  await expect(settings(page).getByTestId('parameter-usages')).toContainText('Used in Filter ›');

  await save(page, 'Saved v1');
  await page.reload();
  await expect(status(page)).toHaveText('Saved v1');
  await expect(field(page, 'Stage retries')).toHaveValue('4');
  await expect(field(page, 'Stage timeout (seconds)')).toHaveValue('600');
  await expect(field(page, 'Parameter min_amount type')).toHaveValue('float');
  await expect(field(page, 'Parameter min_amount default')).toHaveValue('400');
  await expect(settings(page).getByTestId('parameter-usages')).toContainText('Used in Filter ›');

  // Undo takes a settings edit back like any other.
  await field(page, 'Stage retries').fill('7');
  await expect(status(page)).toHaveText('Unsaved changes');
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(field(page, 'Stage retries')).toHaveValue('4');

  // The version diff names what changed.
  await field(page, 'Concurrent runs (at most)').fill('2');
  await save(page, 'Saved v2');
  await page.getByTestId('versions-button').click();
  const versions = page.getByTestId('versions-panel');
  await versions.getByLabel('Compare version 1').check();
  await versions.getByLabel('Compare version 2').check();
  await expect(versions.getByTestId('diff-setting-maxConcurrentRuns')).toHaveText('~ setting Concurrent runs (at most): no limit → 2');
  await page.getByTestId('versions-button').click();

  // Run asks for the value, prefilled with the default.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const dialog = page.getByTestId('run-parameters-dialog');
  const value = dialog.getByLabel(/min_amount/);
  await expect(value).toHaveValue('400');
  await value.fill('');
  await value.fill('450');
  await dialog.getByRole('button', { name: 'Run with these values' }).click();
  await expect(dialog).not.toBeVisible();
  await expect(page.getByTestId('node-file-sink')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });

  const [header, ...rows] = parseCsv(await readFile(path.join(fixtures, 'orders.csv'), 'utf8'));
  const amount = header!.indexOf('amount');
  const expected = rows.filter((r) => Number(r[amount]) > 450).map((r) => r[0]);
  expect(expected.length).toBeGreaterThan(0);
  const [, ...written] = parseCsv(await workspaceFile('out/big.csv'));
  expect(written.map((r) => r[0]).sort()).toEqual(expected.sort());
});
