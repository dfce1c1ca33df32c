// Helpers shared by the e2e specs: building a pipeline on the canvas with the
// mouse, the settings panel, and reading what a run wrote to a workspace.
import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { e2eDataDir } from '../playwright.config';

export const fixtures = path.join(import.meta.dirname, 'fixtures');

/** Drags a palette item onto the canvas at (x, y), relative to the canvas. */
export async function dropNode(page: Page, kind: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-item-${kind}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
  await expect(page.getByTestId(`node-${kind}`)).toBeVisible();
}

/** Drags from the first output handle of one node to the first input handle of another. */
export async function connect(page: Page, from: string, to: string): Promise<void> {
  const source = page.locator(`[data-testid="node-${from}"] .react-flow__handle.source`).first();
  const target = page.locator(`[data-testid="node-${to}"] .react-flow__handle.target`).first();
  const a = await center(source);
  const b = await center(target);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

export async function center(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element has no box');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

export const settings = (page: Page) => page.getByTestId('settings-panel');

export async function selectNode(page: Page, kind: string): Promise<void> {
  await page.getByTestId(`node-${kind}`).click();
}

export function parseCsv(text: string): string[][] {
  // The fixture and output quote only "carol, jr"; a small parser is enough here.
  return text
    .trim()
    .split('\n')
    .map((line) => [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].map((m) => (m[1] ?? '').replace(/^"|"$/g, '').replace(/""/g, '"')).slice(0, -1));
}

/** A file of the data dir's only workspace (for a spec that runs alone against a fresh data dir). */
/**
 * A file of whichever workspace holds it: other specs in the same run may have
 * made workspaces of their own, but exactly one workspace must have this file.
 */
export async function workspaceFile(relative: string): Promise<string> {
  const root = path.join(e2eDataDir, 'workspaces');
  const holders: string[] = [];
  for (const workspace of await readdir(root)) {
    const file = path.join(root, workspace, 'files', relative);
    if (await access(file).then(() => true, () => false)) holders.push(file);
  }
  expect(holders, `workspaces holding ${relative}`).toHaveLength(1);
  return readFile(holders[0]!, 'utf8');
}

/**
 * Signs a new user up; lands on the pipelines page. Sign-ups are rate-limited
 * (three within ten seconds of each other), and specs run back to back sign up
 * faster than that: a refusal is waited out and the form sent again, as a
 * person would.
 */
export async function signUp(page: Page, baseURL = ''): Promise<void> {
  const email = `lin-${crypto.randomUUID()}@example.com`;
  for (let attempt = 1; ; attempt++) {
    // A fresh form each time, so an earlier refusal's message cannot be mistaken for a new one.
    await page.goto(`${baseURL}/sign-up`);
    await page.getByLabel('Name').fill('Lin');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    const outcome = await Promise.race([
      page.waitForURL(new URL('/', page.url()).href).then(() => 'signed up' as const),
      page.getByTestId('form-error').filter({ hasText: /too many/i }).waitFor().then(() => 'rate limited' as const),
    ]);
    if (outcome === 'signed up') return;
    expect(attempt, 'sign-up still rate-limited after waiting it out twice').toBeLessThan(3);
    await page.waitForTimeout(10_500);
  }
}

/** Opens a new, empty pipeline (signed in already). */
export async function createPipeline(page: Page, pipelineName: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Pipeline name').fill(pipelineName);
  await page.getByRole('button', { name: 'Create pipeline' }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
}

/**
 * Writes `files` (name → text) into `folder` of the signed-in user's workspace
 * files, where pipelines read workspace paths; returns the folder's path.
 */
export async function putWorkspaceFiles(page: Page, folder: string, files: Record<string, string>): Promise<string> {
  const current = await page.request.get('/api/trpc/workspace.current');
  const workspaceId = ((await current.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;
  const dir = path.join(e2eDataDir, 'workspaces', workspaceId, 'files', folder);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

/** Loads a pipeline document into the open designer through Import, and waits for `nodeId` on the canvas. */
export async function importDocument(page: Page, document: unknown, nodeId: string): Promise<void> {
  await page.getByTestId('import-file').setInputFiles({ name: 'pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(document)) });
  await expect(page.locator(`[data-node-id="${nodeId}"]`)).toBeVisible();
}

/**
 * A Monaco editor in the settings panel, by its accessible name: its input
 * (what has focus and aria-invalid) and its rendered lines (what it shows).
 */
export function codeEditor(page: Page, name: string): { input: Locator; lines: Locator } {
  // `has` is matched inside each editor, so its locator starts from the page.
  const editor = settings(page).getByTestId('code-editor').filter({ has: page.getByRole('textbox', { name, exact: true }) });
  return { input: editor.getByRole('textbox', { name, exact: true }), lines: editor.locator('.view-lines') };
}

/** Replaces an editor's text as a paste would (no auto-closed quotes, no accepted suggestions). */
export async function fillCodeEditor(page: Page, name: string, text: string): Promise<void> {
  const { input, lines } = codeEditor(page, name);
  await lines.click();
  await expect(input).toBeFocused();
  await page.keyboard.press('ControlOrMeta+A');
  if (text === '') await page.keyboard.press('Delete');
  else await page.keyboard.insertText(text);
}

/**
 * One signed-up account shared by every test of a spec file (sign-ups are
 * rate-limited): call at the top level of the file with a name for its state.
 * Returns the storage-state file, for further browser contexts of that user.
 */
export function shareOneAccount(name: string): string {
  const authFile = path.resolve(import.meta.dirname, '..', 'test-results', `${name}-auth.json`);
  test.use({ storageState: authFile });
  test.beforeAll(async ({ browser }) => {
    const context = await browser.newContext({ storageState: undefined });
    const page = await context.newPage();
    await signUp(page, `http://localhost:${process.env.SLUICE_E2E_PORT ?? 3100}`);
    await context.storageState({ path: authFile });
    await context.close();
  });
  return authFile;
}
