// The designer's editing tools, as a user reaches them: undo/redo, the node
// clipboard, auto-layout, the Monaco expression editor (served from this
// server, completing column names), import/export, refused connections,
// edge column tooltips, the shortcut sheet and the theme toggle.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { center, codeEditor, connect, createPipeline, dropNode, fillCodeEditor, fixtures, selectNode, settings, shareOneAccount } from './helpers';

shareOneAccount('designer');

const nodes = (page: Page) => page.locator('.react-flow__node');
const edges = (page: Page) => page.locator('.react-flow__edge');

/** Presses a shortcut with focus on the canvas pane (not in a field). */
async function canvasShortcut(page: Page, keys: string): Promise<void> {
  await page.keyboard.press(keys);
}

async function uploadOrders(page: Page): Promise<void> {
  await selectNode(page, 'csv-source');
  await settings(page).getByLabel('File', { exact: true }).setInputFiles(path.join(fixtures, 'orders.csv'));
  await expect(settings(page).getByLabel('Path', { exact: true })).toHaveValue(/orders\.csv$/);
}

test('undo and redo edits; copy, paste, duplicate and delete nodes', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await createPipeline(page, 'Editing');
  const undo = page.getByRole('button', { name: 'Undo', exact: true });
  const redo = page.getByRole('button', { name: 'Redo', exact: true });
  await expect(undo).toBeDisabled();

  await dropNode(page, 'csv-source', 150, 150);
  await dropNode(page, 'filter', 450, 250);
  await connect(page, 'csv-source', 'filter');
  await expect(edges(page)).toHaveCount(1);

  // Undo the edge, then the second node; redo both.
  await canvasShortcut(page, 'ControlOrMeta+z');
  await expect(edges(page)).toHaveCount(0);
  await canvasShortcut(page, 'ControlOrMeta+z');
  await expect(nodes(page)).toHaveCount(1);
  await canvasShortcut(page, 'ControlOrMeta+Shift+z');
  await expect(nodes(page)).toHaveCount(2);
  await canvasShortcut(page, 'Control+y');
  await expect(edges(page)).toHaveCount(1);
  await expect(redo).toBeDisabled();

  // Typing a label is one undo step, not one per key.
  await selectNode(page, 'filter');
  await settings(page).getByLabel('Label', { exact: true }).pressSequentially('Paid only');
  await expect(page.getByTestId('node-filter').getByTestId('node-label')).toHaveText('Paid only');
  await undo.click();
  await expect(page.getByTestId('node-filter').getByTestId('node-label')).toHaveText('Filter');
  await redo.click();
  await expect(page.getByTestId('node-filter').getByTestId('node-label')).toHaveText('Paid only');

  // Copy both nodes (their edge comes along) and paste: fresh ids, offset, selected.
  await page.getByTestId('node-csv-source').click();
  await page.getByTestId('node-filter').click({ modifiers: ['ControlOrMeta'] });
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(2);
  await canvasShortcut(page, 'ControlOrMeta+c');
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  expect(JSON.parse(clipboard)).toMatchObject({ format: 'sluice.nodes/1', nodes: [{ kind: 'csv-source' }, { kind: 'filter', label: 'Paid only' }], edges: [{}] });
  await canvasShortcut(page, 'ControlOrMeta+v');
  await expect(nodes(page)).toHaveCount(4);
  await expect(edges(page)).toHaveCount(2);
  const ids = await nodes(page).evaluateAll((list) => list.map((n) => n.getAttribute('data-id')));
  expect(new Set(ids).size).toBe(4);
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(2);
  await expect(page.locator('.react-flow__node.selected').getByTestId('node-label')).toHaveText(['CSV file', 'Paid only']);

  // Delete removes the pasted pair and its edge in one step; undo brings all back.
  await canvasShortcut(page, 'Delete');
  await expect(nodes(page)).toHaveCount(2);
  await expect(edges(page)).toHaveCount(1);
  await canvasShortcut(page, 'ControlOrMeta+z');
  await expect(nodes(page)).toHaveCount(4);
  await expect(edges(page)).toHaveCount(2);
  await canvasShortcut(page, 'ControlOrMeta+z');
  await expect(nodes(page)).toHaveCount(2);

  // Duplicate one node without the clipboard. (Undo brought back the selection of both; clear it first.)
  await canvasShortcut(page, 'Escape');
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(0);
  await page.getByTestId('node-csv-source').click();
  await canvasShortcut(page, 'ControlOrMeta+d');
  await expect(page.locator('[data-testid="node-csv-source"]')).toHaveCount(2);
  await expect(nodes(page)).toHaveCount(3);
  await canvasShortcut(page, 'Escape');
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(0);

  // Box select: Shift-drag around everything selects every node.
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(0);
  const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(canvasBox.x + 20, canvasBox.y + 20);
  await page.mouse.down();
  await page.mouse.move(canvasBox.x + canvasBox.width - 230, canvasBox.y + canvasBox.height - 20, { steps: 8 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(3);
});

test('auto-layout arranges nodes left to right in pipeline order', async ({ page }) => {
  await createPipeline(page, 'Layout');
  // Dropped right to left, so layout has to reverse them.
  await dropNode(page, 'file-sink', 120, 300);
  await dropNode(page, 'filter', 420, 120);
  await dropNode(page, 'csv-source', 720, 320);
  await connect(page, 'csv-source', 'filter');
  await connect(page, 'filter', 'file-sink');
  const x = async (kind: string) => (await center(page.getByTestId(`node-${kind}`))).x;
  const y = async (kind: string) => (await center(page.getByTestId(`node-${kind}`))).y;
  expect(await x('csv-source')).toBeGreaterThan(await x('file-sink'));

  await page.getByRole('button', { name: 'Auto-layout' }).click();
  await expect.poll(async () => (await x('csv-source')) < (await x('filter')) && (await x('filter')) < (await x('file-sink'))).toBe(true);
  // A chain lies on one row.
  await expect.poll(async () => Math.abs((await y('csv-source')) - (await y('file-sink')))).toBeLessThan(24);

  // Layout is one undoable step.
  await canvasShortcut(page, 'ControlOrMeta+z');
  await expect.poll(async () => (await x('csv-source')) > (await x('file-sink'))).toBe(true);
});

test('the expression editor is Monaco from this server, completing columns and marking problems', async ({ page }) => {
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.hostname !== 'localhost') foreign.push(request.url());
  });
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));

  await createPipeline(page, 'Expressions');
  await dropNode(page, 'csv-source', 150, 150);
  await dropNode(page, 'derive-columns', 450, 250);
  await connect(page, 'csv-source', 'derive-columns');
  await uploadOrders(page);

  await selectNode(page, 'derive-columns');
  // The compiler checks the expression once the column has a name.
  await settings(page).getByLabel('Column 1 name', { exact: true }).fill('gross');
  const { input, lines } = codeEditor(page, 'Column 1 expression');
  await expect(input).toBeVisible();
  await lines.click();
  await page.keyboard.type('am');
  const suggestions = page.locator('.suggest-widget.visible');
  // The input's columns arrive with the compiler's answer; ask again until they are there.
  await expect(async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Space');
    await expect(suggestions.locator('.monaco-list-row', { hasText: 'amount' })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await expect(lines).toHaveText('amount');

  // The compiler's problem with this field shows as a squiggle in the text and on the input.
  await fillCodeEditor(page, 'Column 1 expression', 'amont * 2');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await expect(settings(page).getByTestId('code-editor').locator('.squiggly-error').first()).toBeVisible();
  await fillCodeEditor(page, 'Column 1 expression', 'amount * 2');
  await expect(input).toHaveAttribute('aria-invalid', 'false');
  await expect(settings(page).getByTestId('code-editor').locator('.squiggly-error')).toHaveCount(0);

  // Everything, the editor's code and its worker included, came from this server.
  expect(foreign).toEqual([]);
  await expect.poll(() => workers.length).toBeGreaterThan(0);
  for (const url of workers) expect(new URL(url).protocol === 'blob:' || new URL(url).hostname === 'localhost', url).toBe(true);
});

test('export and import a pipeline as JSON, with clear errors for bad files', async ({ page }, testInfo) => {
  await createPipeline(page, 'Round trip');
  await dropNode(page, 'csv-source', 150, 150);
  await dropNode(page, 'filter', 450, 250);
  await connect(page, 'csv-source', 'filter');
  await selectNode(page, 'filter');
  await settings(page).getByLabel('Label', { exact: true }).fill('Kept rows');

  const downloadStarted = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  const download = await downloadStarted;
  expect(download.suggestedFilename()).toBe('round-trip.sluice.json');
  const exportedPath = testInfo.outputPath('exported.json');
  await download.saveAs(exportedPath);
  const exported = JSON.parse(await readFile(exportedPath, 'utf8')) as { formatVersion: number; nodes: { kind: string; label?: string }[]; edges: unknown[] };
  expect(exported.formatVersion).toBe(1);
  expect(exported.nodes.map((n) => [n.kind, n.label])).toEqual([
    ['csv-source', undefined],
    ['filter', 'Kept rows'],
  ]);
  expect(exported.edges).toHaveLength(1);

  // Change the canvas, then import the file: it comes back as exported.
  await page.getByTestId('node-filter').click();
  await canvasShortcut(page, 'Delete');
  await expect(nodes(page)).toHaveCount(1);
  await page.getByTestId('import-file').setInputFiles(exportedPath);
  await expect(nodes(page)).toHaveCount(2);
  await expect(edges(page)).toHaveCount(1);
  await expect(page.getByTestId('node-filter').getByTestId('node-label')).toHaveText('Kept rows');

  // Files that are not pipelines are refused with the reason, and the canvas stays as it was.
  await page.getByTestId('import-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"nodes": [') });
  await expect(page.getByTestId('import-error')).toContainText('Could not import broken.json');
  await expect(page.getByTestId('import-error')).toContainText('The file is not JSON');
  const badId = { ...exported, nodes: [{ ...exported.nodes[0], id: 'no spaces allowed' }, exported.nodes[1]] };
  await page.getByTestId('import-file').setInputFiles({ name: 'bad-id.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(badId)) });
  await expect(page.getByTestId('import-error')).toContainText('nodes[0].id: Node ids are 1–64 letters, digits, - or _');
  await expect(nodes(page)).toHaveCount(2);
});

/** Drags from an output handle to an input handle and holds the mouse there; returns the release. */
async function dragEdge(page: Page, from: Locator, to: Locator): Promise<() => Promise<void>> {
  const a = await center(from);
  const b = await center(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  return () => page.mouse.up();
}

test('a connection that breaks the rules is refused while dragging, with the reason', async ({ page }) => {
  await createPipeline(page, 'Rules');
  await dropNode(page, 'csv-source', 120, 150);
  await dropNode(page, 'join', 420, 300);
  await dropNode(page, 'sort', 720, 150);
  await connect(page, 'csv-source', 'join');
  await connect(page, 'join', 'sort');
  await expect(edges(page)).toHaveCount(2);
  const output = (kind: string) => page.locator(`[data-testid="node-${kind}"] .react-flow__handle.source`).first();
  const joinInputs = page.locator('[data-testid="node-join"] .react-flow__handle.target');

  // sort → join's free input would close a loop.
  let release = await dragEdge(page, output('sort'), joinInputs.nth(1));
  await expect(page.getByTestId('connection-problem')).toHaveText('This edge would create a cycle');
  await release();
  await expect(page.getByTestId('connection-problem')).toHaveCount(0);
  await expect(edges(page)).toHaveCount(2);

  // A second edge into an input that already has one.
  release = await dragEdge(page, output('csv-source'), joinInputs.nth(0));
  await expect(page.getByTestId('connection-problem')).toHaveText('This input already has an edge; remove it first');
  await release();
  await expect(edges(page)).toHaveCount(2);

  // Hovering an edge lists the columns flowing through it.
  await uploadOrders(page);
  const edge = page.locator('.react-flow__edge').first();
  const box = (await edge.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByTestId('edge-columns')).toContainText('4 columns');
  await expect(page.getByTestId('edge-columns')).toContainText('amount');
});

test('the shortcut sheet opens with ? and the theme toggle persists', async ({ page }) => {
  await createPipeline(page, 'Look and feel');
  await page.getByTestId('canvas').click({ position: { x: 300, y: 300 } });
  await page.keyboard.press('?');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet).toBeVisible();
  await expect(sheet).toContainText('Auto-layout, left to right');
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();

  // Palette items have names and can be reached and used from the keyboard.
  await page.getByRole('button', { name: 'Add CSV file node' }).focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(nodes(page)).toHaveCount(1);
  await expect(nodes(page).first()).toHaveAttribute('aria-label', / node$/);

  const html = page.locator('html');
  const startedDark = (await html.getAttribute('class'))?.includes('dark') ?? false;
  await page.getByTestId('theme-toggle').click();
  await expect(html).toHaveClass(startedDark ? /^(?!.*\bdark\b)/ : /\bdark\b/);
  await page.reload();
  await expect(html).toHaveClass(startedDark ? /^(?!.*\bdark\b)/ : /\bdark\b/);
});
