import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { nodeReferenceMarkdown } from './docs';
import { nodeRegistry } from './registry';

it('docs/nodes.md is up to date with the registry (npm run docs:nodes)', async () => {
  const onDisk = await readFile(path.resolve(import.meta.dirname, '../../docs/nodes.md'), 'utf8');
  expect(onDisk).toBe(nodeReferenceMarkdown());
});

it('documents every node kind', () => {
  const markdown = nodeReferenceMarkdown();
  for (const kind of nodeRegistry.keys()) expect(markdown).toContain(`\`${kind}\``);
});
