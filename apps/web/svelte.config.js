import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // Express (server/index.ts) serves the build; SvelteKit's origin check on form posts stays on.
    adapter: adapter(),
    typescript: {
      // The Express server beside the app is type-checked by svelte-check as well.
      config: (tsconfig) => ({ ...tsconfig, include: [...tsconfig.include, '../server/**/*.ts'] }),
    },
  },
};

export default config;
