// Boot file of the sandbox child process (see pool.ts for how it is started).
//
// The child's modules are TypeScript run by Node's built-in type stripping, with
// no tsx/esbuild: esbuild would start a helper process and a worker thread, which
// the permission model the child runs under forbids. Type stripping does not add
// the `.ts` that the project's imports leave out, so this hook does it for
// relative imports between the files of this folder, and nothing else.
import { registerHooks } from 'node:module';

const folder = new URL('./', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('./') && context.parentURL?.startsWith(folder) && !/\.[cm]?[jt]s$/.test(specifier)) {
      return nextResolve(`${specifier}.ts`, context);
    }
    return nextResolve(specifier, context);
  },
});

await import('./child.ts');
