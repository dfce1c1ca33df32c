import { createHash } from 'node:crypto';
import { canonicalJson } from '../pipeline/content-hash';
import type { ExecutionPlan } from './compile';

/**
 * sha256 of the plan's canonical JSON. A checkpoint records it: a run may reuse
 * another run's stage outputs only when both compiled to this very plan.
 */
export function planHash(plan: ExecutionPlan): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex');
}
