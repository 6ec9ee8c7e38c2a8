import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter(),
    // SvelteKit's own origin check answers a token-authenticated API client's text/plain post
    // with 403 before the route can answer the documented 415. hooks.server.ts checks the Origin
    // of every non-API request that changes something (any content type), which covers what
    // this check did; /api/v1 takes tokens only, never cookies, so CSRF does not apply there.
    csrf: { trustedOrigins: ['*'] },
    // Stylesheets this small go inline (with their hash in the CSP): the families' confirmation
    // page (/c/<token>) is then one request on a feature phone. Every stylesheet is below this
    // (app.css ~2.5 KB built, the components' own less).
    inlineStyleThreshold: 4096,
    // The worker (src/service-worker/) is the parents' PWA: their pages register it
    // (routes/account/+layout.svelte), so a staff browser never downloads the app shell.
    serviceWorker: { register: false },
    // Scripts only from this site or with the hash of SvelteKit's inline hydration script.
    // Hashes rather than nonces: two equal answers stay byte for byte equal (the login's
    // answers to a wrong password and to an unknown login must not differ at all).
    // Inline styles (the inlined stylesheet, style:width attributes) are allowed without a hash:
    // CSS cannot run script, img-src/font-src/connect-src 'self' keep an injected style from
    // sending anything elsewhere, and SvelteKit's per-response SHA-256 of the inlined sheet
    // cost ~5 % of every family's tap in the 6 a.m. burst (bench `confirmation`).
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'style-src-attr': ['unsafe-inline'],
        'img-src': ['self', 'data:'],
        'font-src': ['self'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
    typescript: {
      // The Express server beside the app is type-checked by svelte-check as well.
      config: (tsconfig) => ({ ...tsconfig, include: [...tsconfig.include, '../server/**/*.ts'] }),
    },
  },
};

export default config;
