// Version history as a user reaches it: saving versions, comparing two,
// restoring an old one, recovering an unsaved draft, and two tabs of the same
// user saving the same pipeline (the second is warned and chooses).
import { expect, test, type Browser, type Page } from '@playwright/test';
import { createPipeline, dropNode, selectNode, settings, shareOneAccount } from './helpers';

const authFile = shareOneAccount('versions');

const status = (page: Page) => page.getByTestId('save-status');
const delimiter = (page: Page) => settings(page).getByLabel('Delimiter', { exact: true });

async function save(page: Page, expected: string): Promise<void> {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(status(page)).toHaveText(expected);
}

async function setDelimiter(page: Page, value: string): Promise<void> {
  await selectNode(page, 'csv-source');
  await delimiter(page).fill(value);
  await expect(status(page)).toHaveText('Unsaved changes');
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ storageState: authFile });
  const page = await context.newPage();
  await page.goto(url);
  await expect(status(page)).toBeVisible();
  return page;
}

test('lists saved versions, diffs two, restores one, and recovers a draft', async ({ page, context }) => {
  await createPipeline(page, 'History');
  await dropNode(page, 'csv-source', 200, 200);
  await save(page, 'Saved v1');
  await setDelimiter(page, ';');
  await save(page, 'Saved v2');

  await page.getByTestId('versions-button').click();
  const panel = page.getByTestId('versions-panel');
  await expect(panel.getByTestId('version-2')).toContainText('Lin');
  await expect(panel.getByTestId('version-1')).toBeVisible();
  await panel.getByLabel('Compare version 1').check();
  await panel.getByLabel('Compare version 2').check();
  const changed = panel.locator('[data-testid^="diff-changed-"]');
  await expect(changed).toHaveCount(1);
  await expect(changed).toContainText('csv-source');
  await expect(changed).toContainText('settings: delimiter');

  await panel.getByRole('button', { name: 'Restore v1…' }).click();
  await panel.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(status(page)).toHaveText('Saved v3');
  await page.getByTestId('versions-button').click();
  await expect(page.getByTestId('version-3')).toContainText('Restored version 1');
  await selectNode(page, 'csv-source');
  await expect(delimiter(page)).toHaveValue(',');

  // An unsaved edit survives in the browser and is offered back on the next visit.
  await setDelimiter(page, '|');
  await page.waitForTimeout(1500);
  const again = await context.newPage();
  await again.goto(page.url());
  await again.getByTestId('draft-recovery').getByRole('button', { name: 'Recover' }).click();
  await expect(status(again)).toHaveText('Unsaved changes');
  await selectNode(again, 'csv-source');
  await expect(delimiter(again)).toHaveValue('|');
});

test('a save on top of a newer version from another tab is refused with a warning', async ({ page, browser }) => {
  await createPipeline(page, 'Shared');
  await dropNode(page, 'csv-source', 200, 200);
  await save(page, 'Saved v1');
  const other = await openPage(browser, page.url());

  await setDelimiter(page, ';');
  await save(page, 'Saved v2');

  // The other tab still edits version 1: its save is refused, naming who saved what.
  await setDelimiter(other, ':');
  await other.getByRole('button', { name: 'Save', exact: true }).click();
  const warning = other.getByTestId('conflict-warning');
  await expect(warning).toContainText('Your changes were not saved');
  await expect(warning.getByTestId('conflict-other')).toContainText(/Lin \(lin-.*@example\.com\) saved version 2 at .*while you were editing version 1/);
  await warning.getByRole('button', { name: 'Review differences to keep mine' }).click();
  await expect(warning.locator('[data-testid^="diff-changed-"]')).toContainText('settings: delimiter');
  await warning.getByRole('button', { name: 'Save mine as version 3' }).click();
  await expect(status(other)).toHaveText('Saved v3');

  // Now the first tab is behind; it takes the other's version instead.
  await setDelimiter(page, '#');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('conflict-warning').getByTestId('conflict-other')).toContainText('saved version 3');
  await page.getByTestId('conflict-warning').getByRole('button', { name: 'Load theirs' }).click();
  await expect(status(page)).toHaveText('Saved v3');
  await selectNode(page, 'csv-source');
  await expect(delimiter(page)).toHaveValue(':');
  await other.context().close();
});
