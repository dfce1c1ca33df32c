import { describe, expect, it } from 'vitest';
import { analyzePipeline } from '../engine/analyze';
import type { VisualPipeline } from '../pipeline/model';
import { linearPipeline } from '../testing/pipelines';
import { analyzeDraft } from './apply-parameters';

/** orders.csv → keep amount ≥ {{params.min}} (and paid) → out/{{params.day}}.csv */
function parameterized(parameters: VisualPipeline['parameters']): VisualPipeline {
  const doc = linearPipeline({ rules: [{ column: 'amount', op: 'gte', value: '{{params.min}}' }], sink: { format: 'csv', path: 'out/{{params.day}}.csv' } });
  return { ...doc, parameters };
}

describe('analyzeDraft', () => {
  it('checks placeholders with the defaults, or sample values where there are none, as a run would see them', async () => {
    const draft = parameterized([
      { name: 'min', type: 'float', default: 10 },
      { name: 'day', type: 'date' },
    ]);
    // Unfilled, the placeholder is text in a float comparison.
    expect((await analyzePipeline(draft)).diagnostics).toContainEqual(expect.objectContaining({ nodeId: 'keep_paid', code: 'INVALID_VALUE' }));
    const checked = await analyzeDraft(draft);
    expect(checked.diagnostics).toEqual([]);
    expect(checked.plan).not.toBeNull();
    expect(checked.schemas.cols?.output?.map((c) => c.name)).toEqual(['order_id', 'customer', 'amount']);
  });

  it('reports a placeholder that names no declared parameter on its node, and plans nothing', async () => {
    const checked = await analyzeDraft(parameterized([{ name: 'day', type: 'date' }]));
    expect(checked.plan).toBeNull();
    expect(checked.diagnostics[0]).toMatchObject({ code: 'INVALID_CONFIG', severity: 'error', nodeId: 'keep_paid', message: expect.stringContaining('declares no parameter "min"') as unknown });
  });

  it('leaves a draft without placeholders as the compiler sees it', async () => {
    const plain = linearPipeline();
    expect(await analyzeDraft(plain)).toEqual(await analyzePipeline(plain));
  });
});
