// The stored VisualPipeline document. Node configs are kept as plain objects
// here; each kind's own schema validates them in the compiler, so a draft with
// incomplete settings can still be saved and shown with its problems.
import { z } from 'zod';

export const FORMAT_VERSION = 1;

export const NodeIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Node ids are 1–64 letters, digits, - or _');

export const PipelineNodeSchema = z.object({
  id: NodeIdSchema,
  kind: z.string().min(1),
  version: z.number().int().min(1),
  label: z.string().max(120).optional(),
  position: z.object({ x: z.number(), y: z.number() }),
  config: z.record(z.string(), z.unknown()),
});
export type PipelineNode = z.infer<typeof PipelineNodeSchema>;

export const PortRefSchema = z.object({ node: NodeIdSchema, port: z.string().min(1).max(64) });
export type PortRef = z.infer<typeof PortRefSchema>;

export const PipelineEdgeSchema = z.object({
  id: z.string().min(1).max(128),
  source: PortRefSchema,
  target: PortRefSchema,
});
export type PipelineEdge = z.infer<typeof PipelineEdgeSchema>;

/** How runs of the pipeline behave under failure and load; every field has a default. The descriptions are the designer's help texts. */
export const PipelineSettingsSchema = z.object({
  stageRetries: z.number().int().min(0).max(10).default(2).describe('Further attempts of a stage after a transient error (connection reset, timeout, 429/5xx).'),
  retryDelaySeconds: z.number().min(0).max(3600).default(2).describe('First retry waits about this long; each further one twice as long, with jitter.'),
  stageTimeoutSeconds: z.number().int().min(1).max(7 * 86_400).nullable().default(null).describe('A stage running longer fails with STAGE_TIMEOUT; empty: no limit.'),
  runTimeoutSeconds: z.number().int().min(1).max(7 * 86_400).nullable().default(null).describe('A run running longer fails with RUN_TIMEOUT; empty: no limit.'),
  maxConcurrentRuns: z.number().int().min(1).max(1000).nullable().default(null).describe('Runs of this pipeline executing at once; further ones wait in the queue. Empty: no limit.'),
  onBranchFailure: z.enum(['continueOthers', 'stopAll']).default('continueOthers').describe('When one branch fails: keep loading the independent ones (the run is partially succeeded), or stop everything.'),
});
export type PipelineSettings = z.infer<typeof PipelineSettingsSchema>;

// ── Parameters (values and placeholders: parameters.ts) ──────────────────────
export const ParameterTypes = ['string', 'integer', 'float', 'boolean', 'date', 'timestamp'] as const;
export type ParameterType = (typeof ParameterTypes)[number];

export const ParameterNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'Parameter names are 1–64 letters, digits or _, not starting with a digit');

export const ParameterDeclarationSchema = z.object({
  name: ParameterNameSchema,
  type: z.enum(ParameterTypes),
  /** Used when a run gives no value; without one the parameter is required. */
  default: z.union([z.string().max(10_000), z.number(), z.boolean()]).optional(),
  description: z.string().max(500).optional(),
});
export type ParameterDeclaration = z.infer<typeof ParameterDeclarationSchema>;

export const ParameterDeclarationsSchema = z
  .array(ParameterDeclarationSchema)
  .max(100)
  .superRefine((decls, ctx) => {
    const seen = new Set<string>();
    decls.forEach((d, i) => {
      if (seen.has(d.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `Parameter "${d.name}" is declared twice` });
      seen.add(d.name);
    });
  });

export const VisualPipelineSchema = z.object({
  formatVersion: z.literal(FORMAT_VERSION),
  nodes: z.array(PipelineNodeSchema).max(5000),
  edges: z.array(PipelineEdgeSchema).max(20000),
  /** Absent in documents saved before settings existed; read through pipelineSettings(). */
  settings: PipelineSettingsSchema.partial().optional(),
  /** Values a run is given, used in node configs as {{params.name}}; absent in older documents. */
  parameters: ParameterDeclarationsSchema.optional(),
});
export type VisualPipeline = z.infer<typeof VisualPipelineSchema>;

export const emptyPipeline = (): VisualPipeline => ({ formatVersion: FORMAT_VERSION, nodes: [], edges: [] });

/** The document's settings with defaults filled in. */
export function pipelineSettings(doc: Pick<VisualPipeline, 'settings'>): PipelineSettings {
  return PipelineSettingsSchema.parse(doc.settings ?? {});
}
