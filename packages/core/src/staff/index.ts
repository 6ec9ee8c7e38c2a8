// Staff accounts and API tokens (issue 6 item 5 and the 学校管理 UI), for the admin pages and the
// operator's CLI alike.
export {
  addStaffAccount,
  createStaffAccount,
  creatableRoles,
  managesAccount,
  resetStaffPassword,
  setStaffAccountDisabled,
  staffAccountsPage,
  type AuditActor,
  type CheckedStaffAccount,
  type NewStaffAccount,
  type StaffAccountsPage,
} from './accounts';
export { createOwnApiToken, issueStaffApiToken, ownApiTokens, revokeOwnApiToken } from './tokens';
