// npm run docs:nodes — rewrites docs/nodes.md from the node registry.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { nodeReferenceMarkdown } from '../server/pipeline/docs';

const target = path.resolve(import.meta.dirname, '..', 'docs', 'nodes.md');
await writeFile(target, nodeReferenceMarkdown());
console.log(`Wrote ${path.relative(process.cwd(), target)}`);
