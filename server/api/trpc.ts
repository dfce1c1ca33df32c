// The one place tRPC is initialised: context, transformer, error shape and the
// base procedures. Routers import only from here.
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import superjson from 'superjson';
import { ZodError, z } from 'zod';
import type { SessionUser } from '../auth/auth';
import { primaryWorkspace } from '../auth/workspace';
import type { Keyring } from '../connectors/secrets';
import type { Prisma } from '../db/database';
import { AppError, type ErrorCode } from '../errors';
import type { Services } from '../runtime/services';

export interface Context {
  db: Prisma;
  user: SessionUser | null;
  /** Redis-backed services, resolved lazily so pages that need none work without Redis. */
  services: () => Services;
  /** Key for connection secrets and the data folder; the process's own when absent (tests pass their own). */
  connectors?: { keyring: Keyring; dataDir: string };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
        appCode: cause instanceof AppError ? cause.code : null,
      },
    };
  },
});

const trpcCodeFor: Partial<Record<ErrorCode, TRPC_ERROR_CODE_KEY>> = {
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  CONFLICT: 'CONFLICT',
  BAD_INPUT: 'BAD_REQUEST',
  PIPELINE_INVALID: 'UNPROCESSABLE_CONTENT',
  PIPELINE_NOT_SAVED: 'PRECONDITION_FAILED',
  CONNECTION_NOT_FOUND: 'NOT_FOUND',
  CONNECTION_FAILED: 'BAD_GATEWAY',
  SOURCE_QUERY_FAILED: 'BAD_GATEWAY',
  SECRETS_UNAVAILABLE: 'PRECONDITION_FAILED',
  REDIS_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  DATABASE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  BUSY: 'TOO_MANY_REQUESTS',
  RUN_NOT_RESUMABLE: 'PRECONDITION_FAILED',
  CHECKPOINT_UNAVAILABLE: 'PRECONDITION_FAILED',
  CHECKPOINT_MISMATCH: 'PRECONDITION_FAILED',
  RUN_NOT_REPROCESSABLE: 'PRECONDITION_FAILED',
  DEAD_LETTERS_ALREADY_REPROCESSED: 'CONFLICT',
};

/** Turns AppErrors into tRPC errors with a matching HTTP status. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: trpcCodeFor[cause.code] ?? 'INTERNAL_SERVER_ERROR', message: cause.message, cause });
  }
  return result;
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;
export const publicProcedure = t.procedure.use(appErrors);

/** Signed in, with the user's workspace resolved. */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  const workspace = await primaryWorkspace(ctx.db, ctx.user.id);
  if (!workspace) throw new TRPCError({ code: 'FORBIDDEN', message: 'You are not a member of any workspace' });
  return next({ ctx: { ...ctx, user: ctx.user, workspace } });
});
