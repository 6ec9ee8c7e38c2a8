// `pnpm build` for the dispatcher: one ES module bundle in dist/, so that production runs
// plain JavaScript (no TypeScript loader at run time: about 55 MB less per process).
import { build } from 'esbuild';

await build({
  absWorkingDir: new URL('..', import.meta.url).pathname,
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // Split so that the embedded database's driver stays a chunk loaded only without DATABASE_URL.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // PGlite finds its WebAssembly files next to its own module: it is loaded from node_modules.
  external: ['@electric-sql/pglite'],
  // The CommonJS dependencies (nodemailer, iconv-lite…) call require() for Node's modules.
  banner: {
    js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
