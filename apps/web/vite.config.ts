import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

/**
 * Leaves every import of our workspace packages ('@renraku/core/roster', '@renraku/db', …)
 * as an import in the server bundle, so that at runtime, under tsx, the SvelteKit bundle and
 * the Express server share one instance of each module (one db schema, one logger setup).
 * `ssr.external` cannot do this: Vite refuses to externalize packages whose entry is .ts
 * source. The browser bundle still includes what it imports from '@renraku/shared'.
 */
function externalWorkspacePackages(): Plugin {
  return {
    name: 'renraku:external-workspace-packages',
    apply: 'build',
    enforce: 'pre',
    applyToEnvironment: (environment) => environment.config.consumer === 'server',
    resolveId: (id) =>
      /^@renraku\/(core|db|shared)(\/|$)/.test(id) ? { id, external: true } : null,
  };
}

/**
 * zod ships `@__PURE__` comments where Rollup cannot use them, and Rollup says so for each on
 * every build (then drops them: the bundle is the same). A Rollup log hook, because SvelteKit
 * replaces `build.rollupOptions.onwarn`. Any other warning, and any in our code, still shows.
 */
function quietDependencyAnnotations(): Plugin {
  return {
    name: 'renraku:quiet-dependency-annotations',
    apply: 'build',
    onLog: (_level, log) =>
      !(log.code === 'INVALID_ANNOTATION' && (log.id ?? '').includes('/node_modules/')),
  };
}

export default defineConfig({
  plugins: [quietDependencyAnnotations(), externalWorkspacePackages(), sveltekit()],
});
