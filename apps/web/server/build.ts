import { fileURLToPath } from 'node:url';

/** adapter-node's request handler, written by `pnpm build`; starting a process only reads it. */
export const WEB_BUILD_HANDLER = fileURLToPath(new URL('../build/handler.js', import.meta.url));
