import { fileURLToPath } from 'node:url';

// How a dispatcher process is started in production (`pnpm start:dispatcher`), named once so
// that the benchmarks and the crash tests start exactly the same thing.

/** The bundle `pnpm build` writes: plain JavaScript, no TypeScript loader at run time. */
export const DISPATCHER_BUNDLE = fileURLToPath(new URL('../dist/main.mjs', import.meta.url));

/**
 * V8's old-generation budget. The live heap is about 40 MB and bounded (two claim batches in
 * flight, a few message templates); without a budget V8 lets a send's garbage pile up to
 * 100 MB and more before collecting it, with one it collects early and RSS stays flat.
 */
export const DISPATCHER_NODE_FLAGS: readonly string[] = ['--max-old-space-size=128'];
