import type { StaffScope } from '@renraku/shared';

/**
 * The signed-in staff member (or API token) a service acts for, as every door resolves it;
 * the web's StaffPrincipal is one. Services take the fields they need with Pick.
 */
export interface ActingStaff {
  id: number;
  displayName: string;
  scope: StaffScope;
  /** Set when the request came with an API token, so audits can say which integration acted. */
  apiTokenId: number | null;
}
