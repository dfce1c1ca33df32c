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

/** Aliases of server folders an administrator allowed (SLUICE_ALLOWED_DIRS). */
export const DirectoryAliasSchema = z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/, 'A folder alias is 2–32 lowercase letters, digits, - or _, starting with a letter');

/**
 * A file a source reads: a workspace path ("in/orders.csv"), or a path inside a
 * server folder an administrator allowed, written "alias:relative/path"
 * ("shared:2024/orders.csv"). The relative part obeys the workspace path rules.
 */
export const SourcePathSchema = z
  .string()
  .trim()
  .superRefine((p, ctx) => {
    const { alias, relative } = splitSourcePath(p);
    if (alias !== undefined) {
      const a = DirectoryAliasSchema.safeParse(alias);
      if (!a.success) ctx.addIssue({ code: 'custom', message: a.error.issues[0]?.message ?? 'Invalid folder alias' });
    }
    const r = WorkspacePathSchema.safeParse(relative);
    if (!r.success) ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? 'Invalid path' });
  });

/** "alias:rel/path" → { alias, relative }; anything else is a workspace path. */
export function splitSourcePath(p: string): { alias?: string; relative: string } {
  const m = /^([A-Za-z][\w-]+):(.*)$/s.exec(p);
  if (!m) return { relative: p };
  return { alias: m[1] ?? '', relative: m[2] ?? '' };
}
