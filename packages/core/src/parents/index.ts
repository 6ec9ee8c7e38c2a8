// The parents' side (PRODUCT.md §3.1): registration links, registration, login, addresses and
// the account. Pages call these; every function takes the ParentsContext, refuses with a
// ServiceError (bad input, a wrong password or code, a link gone) and returns the flow's
// other outcomes for the pages to word (parent.* messages).
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
} from './addresses';
export {
  changePassword,
  loadAccount,
  openConfirmLink,
  openResetLink,
  requestPasswordReset,
  resetPassword,
  setLanguage,
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
  parentErrorKey,
  type ParentErrorCode,
} from './policy';
export {
  correctChild,
  loadChildCorrection,
  rosterStandingOf,
  type ChildField,
  type ChildForm,
  type RosterStanding,
} from './child';
export {
  confirmFromInbox,
  loadInbox,
  INBOX_PAGE_SIZE,
  type InboxAnswer,
  type InboxPage,
} from './inbox';
