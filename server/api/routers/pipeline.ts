import { z } from 'zod';
import { explainPlan } from '../../compiler/explain';
import { processKeyring } from '../../connectors/secrets';
import { connectionSettings } from '../../connectors/store';
import type { ConnectionResolver } from '../../connectors/connection';
import { workspaceDir } from '../../engine/files';
import { env } from '../../env';
import { DEFAULT_PREVIEW_ROWS, MAX_PREVIEW_ROWS, previewNode } from '../../preview/preview';
import { AppError } from '../../errors';
import type { Prisma, PrismaNamespace } from '../../db/database';
import { canonicalJson, contentHash } from '../../pipeline/content-hash';
import { diffPipelines } from '../../pipeline/diff';
import { analyzeDraft } from '../../runs/apply-parameters';
import { emptyPipeline, FORMAT_VERSION, NodeIdSchema, VisualPipelineSchema, type VisualPipeline } from '../../pipeline/model';
import { protectedProcedure, router } from '../trpc';

const PipelineId = z.object({ id: z.uuid() });
const VersionNumber = z.number().int().min(1);

type Transaction = Parameters<Parameters<Prisma['$transaction']>[0]>[0];

/** The pipeline's id if it belongs to the caller's workspace; NOT_FOUND otherwise (another workspace's ids are not revealed). */
async function ownPipeline(db: Prisma | Transaction, workspaceId: string, id: string): Promise<string> {
  const pipeline = await db.pipeline.findFirst({ where: { id, workspaceId }, select: { id: true } });
  if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
  return pipeline.id;
}

async function versionDocument(db: Prisma | Transaction, pipelineId: string, version: number): Promise<VisualPipeline> {
  const row = await db.pipelineVersion.findUnique({ where: { pipelineId_version: { pipelineId, version } }, select: { document: true } });
  if (!row) throw new AppError('NOT_FOUND', `Version ${version} of this pipeline does not exist`);
  return VisualPipelineSchema.parse(row.document);
}

interface NewVersion {
  pipelineId: string;
  baseVersion: number;
  document: VisualPipeline;
  message: string;
  authorId: string;
}

/** Writes a new immutable version, unless someone saved since `baseVersion`. */
async function saveVersion(tx: Transaction, input: NewVersion): Promise<{ version: number; unchanged: boolean }> {
  const pipeline = await tx.pipeline.findUniqueOrThrow({
    where: { id: input.pipelineId },
    select: { latestVersion: true, versions: { orderBy: { version: 'desc' }, take: 1, select: { contentHash: true, document: true } } },
  });
  // A document saved without a parameters key (a client that does not edit them) keeps
  // the previous version's declarations; the designer sends its own once the pipeline has any.
  const previous = VisualPipelineSchema.safeParse(pipeline.versions[0]?.document);
  const carried = input.document.parameters === undefined && previous.success && previous.data.parameters ? { parameters: previous.data.parameters } : {};
  const document: VisualPipeline = { ...input.document, ...carried, formatVersion: FORMAT_VERSION };
  const hash = contentHash(document);
  if (pipeline.latestVersion !== input.baseVersion) {
    throw new AppError('CONFLICT', `Someone saved version ${pipeline.latestVersion} while you were editing version ${input.baseVersion}. Reload to see their changes; yours were not saved.`);
  }
  if (pipeline.versions[0]?.contentHash === hash) return { version: pipeline.latestVersion, unchanged: true };
  const version = pipeline.latestVersion + 1;
  // The conditional update is the concurrency guard: two saves from the same base cannot both pass it.
  const bumped = await tx.pipeline.updateMany({ where: { id: input.pipelineId, latestVersion: input.baseVersion }, data: { latestVersion: version } });
  if (bumped.count !== 1) throw new AppError('CONFLICT', 'Someone saved this pipeline at the same moment. Reload to see their changes; yours were not saved.');
  await tx.pipelineVersion.create({
    data: {
      pipelineId: input.pipelineId,
      version,
      formatVersion: FORMAT_VERSION,
      document: JSON.parse(canonicalJson(document)) as PrismaNamespace.InputJsonValue,
      contentHash: hash,
      message: input.message,
      authorId: input.authorId,
    },
  });
  return { version, unchanged: false };
}

export const pipelineRouter = router({
  list: protectedProcedure.query(({ ctx }) =>
    ctx.db.pipeline.findMany({
      where: { workspaceId: ctx.workspace.id },
      orderBy: { updatedAt: 'desc' },
      select: { id: true, name: true, description: true, latestVersion: true, updatedAt: true },
    }),
  ),

  create: protectedProcedure
    .input(z.object({ name: z.string().trim().min(1, 'Name the pipeline').max(120), description: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) =>
      ctx.db.pipeline.create({
        data: { workspaceId: ctx.workspace.id, name: input.name, description: input.description ?? '', createdById: ctx.user.id },
        select: { id: true },
      }),
    ),

  get: protectedProcedure.input(PipelineId).query(async ({ ctx, input }) => {
    const pipeline = await ctx.db.pipeline.findFirst({
      where: { id: input.id, workspaceId: ctx.workspace.id },
      select: {
        id: true,
        name: true,
        description: true,
        latestVersion: true,
        versions: { orderBy: { version: 'desc' }, take: 1, select: { document: true, createdAt: true } },
      },
    });
    if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
    const latest = pipeline.versions[0];
    return {
      id: pipeline.id,
      name: pipeline.name,
      description: pipeline.description,
      latestVersion: pipeline.latestVersion,
      document: latest ? VisualPipelineSchema.parse(latest.document) : emptyPipeline(),
      savedAt: latest?.createdAt ?? null,
    };
  }),

  /** Writes a new immutable version, unless someone saved since `baseVersion`. */
  save: protectedProcedure
    .input(PipelineId.extend({ document: VisualPipelineSchema, baseVersion: z.number().int().min(0), message: z.string().max(500).optional() }))
    .mutation(({ ctx, input }) =>
      ctx.db.$transaction(async (tx) => {
        const pipelineId = await ownPipeline(tx, ctx.workspace.id, input.id);
        return saveVersion(tx, { pipelineId, baseVersion: input.baseVersion, document: input.document, message: input.message ?? '', authorId: ctx.user.id });
      }),
    ),

  /** Every saved version, newest first, with who saved it. */
  versions: protectedProcedure.input(PipelineId).query(async ({ ctx, input }) => {
    const pipelineId = await ownPipeline(ctx.db, ctx.workspace.id, input.id);
    const rows = await ctx.db.pipelineVersion.findMany({
      where: { pipelineId },
      orderBy: { version: 'desc' },
      select: { version: true, authorId: true, createdAt: true, message: true, contentHash: true },
    });
    // Versions keep their author's id only (no relation), so names are looked up here.
    const authors = await ctx.db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.authorId))] } }, select: { id: true, name: true, email: true } });
    const byId = new Map(authors.map((a) => [a.id, a]));
    return rows.map((row) => {
      const author = byId.get(row.authorId);
      return {
        version: row.version,
        author: author ? { name: author.name, email: author.email } : { name: 'Deleted user', email: null },
        createdAt: row.createdAt,
        message: row.message,
        contentHash: row.contentHash,
      };
    });
  }),

  /** One saved version's document. */
  version: protectedProcedure.input(PipelineId.extend({ version: VersionNumber })).query(async ({ ctx, input }) => {
    const pipelineId = await ownPipeline(ctx.db, ctx.workspace.id, input.id);
    return { version: input.version, document: await versionDocument(ctx.db, pipelineId, input.version) };
  }),

  /** What changed from version `from` to version `to`, node by node. */
  diff: protectedProcedure.input(PipelineId.extend({ from: VersionNumber, to: VersionNumber })).query(async ({ ctx, input }) => {
    const pipelineId = await ownPipeline(ctx.db, ctx.workspace.id, input.id);
    const [before, after] = await Promise.all([versionDocument(ctx.db, pipelineId, input.from), versionDocument(ctx.db, pipelineId, input.to)]);
    return diffPipelines(before, after);
  }),

  /** Saves an old version's document as the newest version; history is never rewritten. */
  restore: protectedProcedure
    .input(PipelineId.extend({ version: VersionNumber, baseVersion: z.number().int().min(0) }))
    .mutation(({ ctx, input }) =>
      ctx.db.$transaction(async (tx) => {
        const pipelineId = await ownPipeline(tx, ctx.workspace.id, input.id);
        const document = await versionDocument(tx, pipelineId, input.version);
        return saveVersion(tx, { pipelineId, baseVersion: input.baseVersion, document, message: `Restored version ${input.version}`, authorId: ctx.user.id });
      }),
    ),

  /** Diagnostics and propagated schemas for a draft; nothing is stored. */
  compile: protectedProcedure.input(z.object({ document: VisualPipelineSchema })).query(async ({ input }) => {
    // DuckDB checks and types the SQL expressions; everything else is the pure compiler.
    const { diagnostics, schemas } = await analyzeDraft(input.document);
    return { diagnostics, schemas };
  }),

  /** Forgets the incremental sources' watermarks: the next run reads every row again (a full refresh). */
  resetWatermarks: protectedProcedure.input(PipelineId).mutation(async ({ ctx, input }) => {
    const pipeline = await ctx.db.pipeline.findFirst({ where: { id: input.id, workspaceId: ctx.workspace.id }, select: { id: true } });
    if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
    const { count } = await ctx.db.sourceWatermark.deleteMany({ where: { pipelineId: pipeline.id } });
    return { cleared: count };
  }),

  /** The incremental sources' stored watermarks, by node. */
  watermarks: protectedProcedure.input(PipelineId).query(async ({ ctx, input }) => {
    const pipeline = await ctx.db.pipeline.findFirst({ where: { id: input.id, workspaceId: ctx.workspace.id }, select: { id: true } });
    if (!pipeline) throw new AppError('NOT_FOUND', 'Pipeline not found');
    return ctx.db.sourceWatermark.findMany({ where: { pipelineId: pipeline.id }, orderBy: { nodeId: 'asc' }, select: { nodeId: true, column: true, type: true, value: true, updatedAt: true } });
  }),

  /** The stage DAG a run of this draft would execute, with each stage's SQL. */
  explain: protectedProcedure.input(z.object({ document: VisualPipelineSchema })).query(async ({ input }) => {
    const { diagnostics, plan } = await analyzeDraft(input.document);
    return { diagnostics, stages: plan ? explainPlan(plan) : null };
  }),

  /**
   * First rows and column statistics of one node's output, from the sub-graph upstream of it run on a
   * sample of the caller's workspace files. Destinations never run; results are cached by sub-graph and input files.
   */
  preview: protectedProcedure
    .input(
      z.object({
        document: VisualPipelineSchema,
        nodeId: NodeIdSchema,
        port: z.string().min(1).max(64).optional(),
        limit: z.number().int().min(1).max(MAX_PREVIEW_ROWS).default(DEFAULT_PREVIEW_ROWS),
      }),
    )
    .query(async ({ ctx, input, signal }) => {
      const workspaceId = ctx.workspace.id;
      const keyring = ctx.connectors?.keyring ?? processKeyring();
      // Database sources: the caller's own workspace's connections only.
      const connections: ConnectionResolver = async (connectionId, nodeId) => {
        try {
          return await connectionSettings(ctx.db, keyring, workspaceId, connectionId);
        } catch (error) {
          if (error instanceof AppError && error.code === 'NOT_FOUND') throw new AppError('CONNECTION_NOT_FOUND', 'This node uses a connection that does not exist in this workspace', { nodeId, connectionId });
          throw error;
        }
      };
      return previewNode(input, {
        workspaceRoot: workspaceDir(ctx.connectors?.dataDir ?? env().dataDir, workspaceId),
        readDirectories: env().SLUICE_ALLOWED_DIRS,
        connections,
        ...(signal ? { signal } : {}),
      });
    }),
});
