import type { IncomingMessage } from 'node:http';
import type { ConfirmationPage } from '@renraku/db';
import type { WebContext } from '#server/context';
import type { Locale } from '$lib/i18n';
import type { StaffPrincipal } from '$lib/server/auth/staff';

declare global {
  namespace App {
    interface Locals {
      /** Database, bus, keys, logger and configuration, from startWeb (server/index.ts). */
      ctx: WebContext;
      locale: Locale;
      /** The signed-in staff member (session cookie, or API token under /api/v1). */
      staff?: StaffPrincipal;
      /** The signed-in parent, for the /account pages. */
      parent?: { registrationId: number };
      /** /c/<token>: the page as the tap just recorded left it, so the load reads nothing. */
      tapped?: ConfirmationPage;
    }
    interface PageData {
      locale: Locale;
    }
    interface Platform {
      /** adapter-node's Node request; server/sveltekit.ts puts the WebContext on it. */
      req: IncomingMessage;
    }
  }
}

export {};
