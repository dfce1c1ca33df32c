// Server-renders the Pipeline panel from a document to check what it shows:
// the schema's help, values and their problems, parameters with theirs, and
// where each parameter is used.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FORMAT_VERSION, type VisualPipeline } from '@/server/pipeline/model';
import { DesignerStoreProvider } from '../store-context';
import { PipelinePanel } from './pipeline-panel';

const render = (document: Partial<VisualPipeline>) =>
  renderToStaticMarkup(
    <DesignerStoreProvider initial={{ formatVersion: FORMAT_VERSION, nodes: [], edges: [], ...document }}>
      <PipelinePanel />
    </DesignerStoreProvider>,
  );

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');

describe('PipelinePanel', () => {
  it('shows every setting with its help, its value or its default as placeholder', () => {
    const html = render({ settings: { stageRetries: 4 } });
    expect(html).toMatch(/<label for="[^"]+" class="[^"]*">Stage retries<\/label><input id="[^"]+" type="number"[^>]*min="0" max="10" step="1" placeholder="Default: 2"[^>]*value="4"/);
    expect(html).toContain('placeholder="No limit"');
    expect(text(html)).toContain('Further attempts of a stage after a transient error');
    expect(html).toContain('<option value="stopAll">Stop the whole run</option>');
    expect(html).not.toContain('data-testid="setting-error"');
  });

  it('explains a refused setting under its field and marks the field', () => {
    const html = render({ settings: { runTimeoutSeconds: 0 } });
    expect(text(html)).toContain('Run timeout (seconds) must be a whole number from 1 to 604800, or empty for no limit; 0 is not.');
    expect(html).toMatch(/data-setting="runTimeoutSeconds" data-invalid="true"/);
  });

  it('lists parameters with their problems and usages, and placeholders naming none', () => {
    const html = render({
      nodes: [
        { id: 'keep', kind: 'filter', version: 1, label: 'Big', position: { x: 0, y: 0 }, config: { rules: [{ column: 'amount', op: 'gt', value: '{{params.min}}' }, { column: 'day', op: 'eq', value: '{{params.day}}' }] } },
      ],
      parameters: [
        { name: 'min', type: 'integer', default: 'ten' },
        { name: 'unused', type: 'date', default: '2024-01-01' },
      ],
    });
    const shown = text(html);
    expect(html).toContain('aria-label="Parameter min name"');
    expect(html).toMatch(/aria-label="Parameter unused default"[^>]*type="date"[^>]*value="2024-01-01"/);
    expect(shown).toContain('Default: Parameter "min" expects a whole number');
    expect(shown).toContain('Used in Big › rules.0.value');
    expect(shown).toContain('Not used yet: write {{params.unused}} in a node setting.');
    expect(shown).toContain('Big › rules.1.value uses {{params.day}} , which is not declared');
    expect(shown).toContain('Declare “day”');
  });
});
