// Workspace-relative file paths as users type them. Pure validation; the engine
// resolves them under the workspace folder and re-checks after resolving links.
import { z } from 'zod';

export const WorkspacePathSchema = z
  .string()
  .trim()
  .min(1, 'Enter a file path')
  .max(512, 'Path is longer than 512 characters')
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p), 'Use a path relative to the workspace files folder, not an absolute path')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'Path must not contain ".."')
  .refine((p) => /^[\w\-. /]+$/.test(p), 'Path may contain only letters, digits, spaces and - _ . /');
