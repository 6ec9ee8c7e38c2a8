import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Request, RequestHandler } from 'express';
import { OperatorError } from '@renraku/shared/process';
import { WEB_BUILD_HANDLER as handlerFile } from './build';
import type { RequestWithContext, WebContext } from './context';
import { requestOrigin } from './origin';

// Express sits in front of adapter-node's handler like a reverse proxy: it works out the
// request's origin and client address (honouring TRUST_PROXY) and hands them over in headers
// that adapter-node is told to read. Whatever a client sent in those headers is overwritten.
const PROTOCOL_HEADER = 'x-renraku-protocol';
const HOST_HEADER = 'x-renraku-host';
const ADDRESS_HEADER = 'x-renraku-client-address';

/** adapter-node's request handler from `pnpm build`; a missing build is a start-up error. */
export async function loadSvelteKitHandler(attachmentMaxBytes: number): Promise<RequestHandler> {
  if (!existsSync(handlerFile)) {
    throw new OperatorError(
      `the web app is not built (${handlerFile} is missing): run \`pnpm build\` first.`,
    );
  }
  // adapter-node reads these names once, when handler.js is first imported.
  process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;
  process.env.HOST_HEADER = HOST_HEADER;
  process.env.ADDRESS_HEADER = ADDRESS_HEADER;
  // Form posts may carry a roster CSV (up to 5 MB, roster/csv.ts MAX_FILE_BYTES) and, on the
  // import's confirmation, the same file sealed in base64 (4/3 the size): 512K is too little.
  // A compose form carries a message's attachments: their limit and a megabyte of form around.
  process.env.BODY_SIZE_LIMIT = String(Math.max(8 * 1024 * 1024, attachmentMaxBytes + 1024 * 1024));
  const built = (await import(pathToFileURL(handlerFile).href)) as { handler: RequestHandler };
  return built.handler;
}

/** Runs before the SvelteKit handler: hooks.server.ts finds the context on `platform.req`. */
export function forwardToSvelteKit(ctx: WebContext): RequestHandler {
  return (req: Request, _res, next) => {
    const origin = new URL(requestOrigin(ctx.env.publicUrl, req));
    req.headers[PROTOCOL_HEADER] = origin.protocol.slice(0, -1);
    req.headers[HOST_HEADER] = origin.host;
    req.headers[ADDRESS_HEADER] = req.ip ?? req.socket.remoteAddress ?? '';
    // The families' confirmation page has no script: a feature phone's browser accepts `*/*`,
    // which SvelteKit would answer with an enhanced form's JSON; its button's POST gets the page.
    if (req.method === 'POST' && req.path.startsWith('/c/')) req.headers.accept = 'text/html';
    (req as RequestWithContext).renraku = ctx;
    next();
  };
}
