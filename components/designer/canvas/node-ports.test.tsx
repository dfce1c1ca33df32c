// Server-renders a node's handles to check how optional input ports are marked.
import { ReactFlowProvider } from '@xyflow/react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { getNodeDefinition } from '@/server/pipeline/registry';
import { NodePorts } from './node-ports';

const handles = (html: string) => [...html.matchAll(/<div [^>]*data-port="([^"]+)"[^>]*>/g)].map((m) => ({ port: m[1], tag: m[0] }));

describe('NodePorts', () => {
  it('marks optional ports with a dashed handle and "(optional)" in the title and accessible name', () => {
    const html = renderToStaticMarkup(
      <ReactFlowProvider>
        <NodePorts
          ports={[
            { name: 'input_1', label: 'Rows 1' },
            { name: 'input_3', label: 'Rows 3', optional: true },
          ]}
          type="target"
        />
      </ReactFlowProvider>,
    );
    const [required, optional] = handles(html);
    expect(required?.tag).toContain('title="Rows 1"');
    expect(required?.tag).toContain('aria-label="Rows 1"');
    expect(required?.tag).not.toContain('border-dashed');
    expect(required?.tag).not.toContain('data-optional');
    expect(optional?.tag).toContain('title="Rows 3 (optional)"');
    expect(optional?.tag).toContain('aria-label="Rows 3 (optional)"');
    expect(optional?.tag).toContain('border-dashed');
    expect(optional?.tag).toContain('data-optional="true"');
    // Still a target handle, which the e2e helpers look for.
    expect(optional?.tag).toMatch(/class="[^"]*react-flow__handle[^"]*target/);
  });

  it('marks the optional inputs the registry declares', () => {
    const union = getNodeDefinition('union');
    const optional = union?.ports.inputs.filter((p) => p.optional) ?? [];
    expect(optional.length).toBeGreaterThan(0);
    const html = renderToStaticMarkup(
      <ReactFlowProvider>
        <NodePorts ports={union?.ports.inputs ?? []} type="target" />
      </ReactFlowProvider>,
    );
    expect(handles(html).filter((h) => h.tag.includes('data-optional="true"')).map((h) => h.port)).toEqual(optional.map((p) => p.name));
  });
});
