// Workspace file areas. Every path a pipeline names is relative to its
// workspace's folder and must stay inside it, also after following symlinks.
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';

export function workspaceDir(dataDir: string, workspaceId: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(workspaceId)) throw new Error(`Not a workspace id: ${workspaceId}`);
  return path.join(dataDir, 'workspaces', workspaceId, 'files');
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function outside(relativePath: string, nodeId?: string): AppError {
  return new AppError('PATH_OUTSIDE_ROOT', `Path "${relativePath}" leads outside the workspace files folder`, nodeId ? { nodeId } : {});
}

/** Absolute path of an existing file, refusing `..` and symlink escapes. */
export async function resolveExistingFile(root: string, relativePath: string, nodeId?: string): Promise<string> {
  const candidate = path.resolve(root, relativePath);
  if (!inside(root, candidate)) throw outside(relativePath, nodeId);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw new AppError('FILE_NOT_FOUND', `File "${relativePath}" does not exist in the workspace files folder`, nodeId ? { nodeId } : {});
  }
  if (!inside(await realpath(root), real)) throw outside(relativePath, nodeId);
  return real;
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
