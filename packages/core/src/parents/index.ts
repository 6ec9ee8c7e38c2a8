// The parents' side (PRODUCT.md §3.1): registration links, registration, login, addresses and
// the account. Pages call these; every function takes the ParentsContext and returns outcomes
// that the pages word (parent.* messages), throwing only on real failures.
export type { ParentsContext } from './context';
export {
  allowLinkPage,
  checkAuthCode,
  findLinkToken,
  openRegisterLink,
  registrationChoices,
  verifyGrant,
  LINK_LIMITS,
  type CodeScope,
  type RegisterLink,
  type RegistrationChoices,
} from './links';
export {
  completeRegistration,
  type RegistrationField,
  type RegistrationForm,
  type RegistrationResult,
} from './registration';
export { attemptParentLogin, PARENT_LOGIN_LIMITS, type ParentLoginResult } from './login';
export {
  attachAddress,
  loadAddressHints,
  openAddAddressMailbox,
  removeAddress,
  type AddressHint,
  type AttachOutcome,
  type RemoveOutcome,
} from './addresses';
export {
  changePassword,
  loadAccount,
  openConfirmLink,
  openResetLink,
  requestPasswordReset,
  resetPassword,
  siblingSchools,
  startSiblingRegistration,
  withdraw,
} from './account';
export {
  checkLoginId,
  checkNewPassword,
  maskAddress,
  PASSWORD_MAX,
  PASSWORD_MIN,
  LOGIN_ID_MAX,
  LOGIN_ID_MIN,
  type ParentErrorCode,
} from './policy';
export {
  correctChild,
  loadChildCorrection,
  rosterStandingOf,
  type ChildCorrection,
  type ChildField,
  type ChildForm,
  type RosterStanding,
} from './child';
