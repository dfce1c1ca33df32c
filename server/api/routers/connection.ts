import { z } from 'zod';
import { ConnectionSettings } from '../../connectors/connection';
import { processKeyring } from '../../connectors/secrets';
import { CONNECT_TIMEOUT_MS, connectionFailed, withTimeout, type SourceContext } from '../../connectors/source';
import { sourceConnectorFor } from '../../connectors/sources';
import { connectionSettings, createConnection, deleteConnection, getConnection, listConnections, mergeKeptSecrets, updateConnection } from '../../connectors/store';
import { workspaceDir } from '../../engine/files';
import { env } from '../../env';
import { AppError } from '../../errors';
import { protectedProcedure, router, type Context } from '../trpc';

const ConnectionId = z.object({ id: z.uuid() });
const Name = z.string().trim().min(1, 'Name the connection').max(120);

const keyringOf = (ctx: Context) => ctx.connectors?.keyring ?? processKeyring();
const sourceContext = (ctx: Context, workspaceId: string): SourceContext => ({ workspaceRoot: workspaceDir(ctx.connectors?.dataDir ?? env().dataDir, workspaceId) });

export const connectionRouter = router({
  /** Never includes secrets: `hasPassword` says whether one is stored. */
  list: protectedProcedure.query(({ ctx }) => listConnections(ctx.db, keyringOf(ctx), ctx.workspace.id)),

  get: protectedProcedure.input(ConnectionId).query(({ ctx, input }) => getConnection(ctx.db, keyringOf(ctx), ctx.workspace.id, input.id)),

  create: protectedProcedure
    .input(z.object({ name: Name, settings: ConnectionSettings }))
    .mutation(({ ctx, input }) => createConnection(ctx.db, keyringOf(ctx), { workspaceId: ctx.workspace.id, userId: ctx.user.id, name: input.name, settings: input.settings })),

  /** An empty password keeps the stored one. */
  update: protectedProcedure
    .input(ConnectionId.extend({ name: Name, settings: ConnectionSettings }))
    .mutation(({ ctx, input }) => updateConnection(ctx.db, keyringOf(ctx), { workspaceId: ctx.workspace.id, id: input.id, name: input.name, settings: input.settings })),

  delete: protectedProcedure.input(ConnectionId).mutation(async ({ ctx, input }) => {
    await deleteConnection(ctx.db, ctx.workspace.id, input.id);
    return { id: input.id };
  }),

  /**
   * Connects and runs a trivial query, within 10 s. Tests a stored connection
   * (`id`), the form's unsaved settings (`settings`), or the form's settings
   * with the stored password kept (both). Failure is an answer, not an error.
   */
  test: protectedProcedure
    .input(z.object({ id: z.uuid().optional(), settings: ConnectionSettings.optional() }).refine((i) => i.id !== undefined || i.settings !== undefined, 'Give a connection id or settings'))
    .mutation(async ({ ctx, input }) => {
      const keyring = keyringOf(ctx);
      let stored;
      try {
        stored = input.id ? await connectionSettings(ctx.db, keyring, ctx.workspace.id, input.id) : undefined;
      } catch (error) {
        if (error instanceof AppError && error.code === 'SECRETS_UNAVAILABLE') return { ok: false as const, code: error.code, message: error.message };
        throw error;
      }
      const settings = stored && input.settings ? mergeKeptSecrets(stored, input.settings) : (input.settings ?? stored);
      if (!settings) throw new AppError('BAD_INPUT', 'Give a connection id or settings');
      const started = performance.now();
      try {
        const { version } = await withTimeout(sourceConnectorFor(settings).test(settings, sourceContext(ctx, ctx.workspace.id)), CONNECT_TIMEOUT_MS + 2_000, 'The database', () => undefined);
        return { ok: true as const, version, elapsedMs: Math.round(performance.now() - started) };
      } catch (error) {
        return { ok: false as const, code: error instanceof AppError ? error.code : 'CONNECTION_FAILED', message: connectionFailed(error, settings).message };
      }
    }),

  /** Schemas → tables → columns, with the Sluice type each column maps to. */
  discover: protectedProcedure.input(ConnectionId).query(async ({ ctx, input }) => {
    const settings = await connectionSettings(ctx.db, keyringOf(ctx), ctx.workspace.id, input.id);
    return { type: settings.type, schemas: await sourceConnectorFor(settings).discover(settings, sourceContext(ctx, ctx.workspace.id)) };
  }),
});
