// Preloaded by `pnpm build` (node --import). SvelteKit analyses the built server code in
// worker threads, and that code imports our TypeScript-source packages; tsx registers itself
// in the main thread only on Node 20, so it is registered here for every thread.
import { register } from 'tsx/esm/api';

register();
