// Sources reading from server folders an administrator allowed (alias:path):
// confined to the folder, also through symlinks.
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourcePathSchema, splitSourcePath } from '../pipeline/paths';
import { runSource } from '../testing/source-harness';
import { resolveSourceFile } from './files';

let base: string;
let shared: string;
let secret: string;
beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'sluice-dirs-'));
  shared = path.join(base, 'shared');
  secret = path.join(base, 'secret');
  await mkdir(path.join(shared, '2024'), { recursive: true });
  await mkdir(secret);
  await writeFile(path.join(shared, '2024/orders.csv'), 'id,name\n1,Zoë\n2,\n');
  await writeFile(path.join(secret, 'keys.csv'), 'id,name\n1,hunter2\n');
  await symlink(path.join(secret, 'keys.csv'), path.join(shared, 'link.csv'));
  await symlink(secret, path.join(shared, 'linked-folder'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const columns = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
];
const readDirectories = () => ({ shared });

describe('alias:path source paths', () => {
  it('splits an alias from the path, leaving workspace paths alone', () => {
    expect(splitSourcePath('shared:2024/orders.csv')).toEqual({ alias: 'shared', relative: '2024/orders.csv' });
    expect(splitSourcePath('in/orders.csv')).toEqual({ relative: 'in/orders.csv' });
  });

  it.each([
    ['shared:../secret/keys.csv', /must not contain "\.\."/],
    ['shared:/etc/passwd', /not an absolute path/],
    ['shared:', /Enter a file path/],
    ['Shared Folder:x.csv', /only letters, digits/],
  ])('refuses %s in the config', (p, message) => {
    const result = SourcePathSchema.safeParse(p);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });

  it('reads a file in an allowed folder through a source', async () => {
    const { rows } = await runSource({ kind: 'csv-source', config: { path: 'shared:2024/orders.csv', columns }, readDirectories: readDirectories() });
    expect(rows).toEqual([
      { id: '1', name: 'Zoë' },
      { id: '2', name: null },
    ]);
  });

  it('refuses an alias that is not allowed, naming the allowed ones', async () => {
    await expect(runSource({ kind: 'csv-source', config: { path: 'other:orders.csv', columns }, readDirectories: readDirectories() })).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: 'No server folder is allowed under the alias "other" (allowed: shared)',
    });
  });

  it('refuses a symlinked file or folder that leads outside the allowed folder', async () => {
    for (const p of ['shared:link.csv', 'shared:linked-folder/keys.csv']) {
      await expect(runSource({ kind: 'csv-source', config: { path: p, columns }, readDirectories: readDirectories() })).rejects.toMatchObject({
        code: 'PATH_OUTSIDE_ROOT',
        message: `Path "${p.slice('shared:'.length)}" leads outside the server folder "shared"`,
      });
    }
  });

  it('refuses `..` at the engine too, for a path that skipped config validation', async () => {
    await expect(resolveSourceFile({ workspaceRoot: base, readDirectories: readDirectories() }, 'shared:2024/../../secret/keys.csv')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
  });

  it('keeps workspace paths in the workspace even when folders are allowed', async () => {
    const resolved = await resolveSourceFile({ workspaceRoot: path.join(shared, '2024'), readDirectories: readDirectories() }, 'orders.csv');
    expect(resolved).toBe(path.join(await realpath(shared), '2024/orders.csv'));
  });
});
