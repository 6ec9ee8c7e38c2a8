import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

/**
 * Leaves every import of our workspace packages ('@renraku/db', '@renraku/shared/crypto', …)
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
    resolveId: (id) => (/^@renraku\/(db|shared)(\/|$)/.test(id) ? { id, external: true } : null),
  };
}

export default defineConfig({
  plugins: [externalWorkspacePackages(), sveltekit()],
});
