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

export const VisualPipelineSchema = z.object({
  formatVersion: z.literal(FORMAT_VERSION),
  nodes: z.array(PipelineNodeSchema).max(5000),
  edges: z.array(PipelineEdgeSchema).max(20000),
});
export type VisualPipeline = z.infer<typeof VisualPipelineSchema>;

export const emptyPipeline = (): VisualPipeline => ({ formatVersion: FORMAT_VERSION, nodes: [], edges: [] });
