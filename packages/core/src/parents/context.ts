import type { CoreContext } from '../context';

/**
 * The parents' services also build links and mailboxes, so they need the two public names of
 * the installation. Only the web serves parents; the other doors' CoreContext stays without them
 * (the CLI has no public address to invent). Named `env` so the web's context fits as it is.
 */
export interface ParentsContext extends CoreContext {
  env: {
    /** Where parents open the web, without a trailing slash (links in mails). */
    publicUrl: string;
    /** The domain of the registration and add-address mailboxes. */
    mailDomain: string;
  };
}
