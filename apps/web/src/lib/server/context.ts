import type { RequestWithContext, WebContext } from '#server/context';

/** The WebContext startWeb attached to the request; absent only if the app was started otherwise. */
export function contextOf(platform: Readonly<App.Platform> | undefined): WebContext {
  const ctx = (platform?.req as RequestWithContext | undefined)?.renraku;
  if (!ctx) {
    throw new Error('No WebContext on the request: start the web with startWeb (server/index.ts).');
  }
  return ctx;
}
