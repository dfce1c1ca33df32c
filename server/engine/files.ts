// Workspace file areas. Every path a pipeline names is relative to its
// workspace's folder and must stay inside it, also after following symlinks.
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';
import { splitSourcePath } from '../pipeline/paths';

export function workspaceDir(dataDir: string, workspaceId: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(workspaceId)) throw new Error(`Not a workspace id: ${workspaceId}`);
  return path.join(dataDir, 'workspaces', workspaceId, 'files');
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function outside(relativePath: string, nodeId?: string, folder = 'the workspace files folder'): AppError {
  return new AppError('PATH_OUTSIDE_ROOT', `Path "${relativePath}" leads outside ${folder}`, nodeId ? { nodeId } : {});
}

/** Absolute path of an existing file, refusing `..` and symlink escapes. */
export async function resolveExistingFile(root: string, relativePath: string, nodeId?: string, folder = 'the workspace files folder'): Promise<string> {
  const candidate = path.resolve(root, relativePath);
  if (!inside(root, candidate)) throw outside(relativePath, nodeId, folder);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw new AppError('FILE_NOT_FOUND', `File "${relativePath}" does not exist in ${folder}`, nodeId ? { nodeId } : {});
  }
  if (!inside(await realpath(root), real)) throw outside(relativePath, nodeId, folder);
  return real;
}

/** Where a source may read: the workspace, and the server folders allowed by alias. */
export interface ReadRoots {
  workspaceRoot: string;
  /** alias → absolute folder (SLUICE_ALLOWED_DIRS). */
  readDirectories?: Readonly<Record<string, string>>;
}

/**
 * Absolute path of a file a source names: "alias:relative" inside an allowed
 * server folder, or a workspace path. Confined like resolveExistingFile.
 */
export async function resolveSourceFile(roots: ReadRoots, sourcePath: string, nodeId?: string): Promise<string> {
  const { alias, relative } = splitSourcePath(sourcePath);
  if (alias === undefined) return resolveExistingFile(roots.workspaceRoot, relative, nodeId);
  const folder = Object.hasOwn(roots.readDirectories ?? {}, alias) ? roots.readDirectories?.[alias] : undefined;
  if (!folder) {
    const known = Object.keys(roots.readDirectories ?? {});
    throw new AppError(
      'FILE_NOT_FOUND',
      `No server folder is allowed under the alias "${alias}" (${known.length ? `allowed: ${known.join(', ')}` : 'an administrator allows folders with SLUICE_ALLOWED_DIRS'})`,
      nodeId ? { nodeId } : {},
    );
  }
  return resolveExistingFile(folder, relative, nodeId, `the server folder "${alias}"`);
}

/** Absolute path for a file about to be written; creates its folder. */
export async function resolveOutputFile(root: string, relativePath: string, nodeId?: string): Promise<string> {
  const candidate = path.resolve(root, relativePath);
  if (!inside(root, candidate)) throw outside(relativePath, nodeId);
  const dir = path.dirname(candidate);
  await mkdir(dir, { recursive: true });
  const realDir = await realpath(dir);
  const realRoot = await realpath(root);
  if (realDir !== realRoot && !inside(realRoot, realDir)) throw outside(relativePath, nodeId);
  return path.join(realDir, path.basename(candidate));
}
