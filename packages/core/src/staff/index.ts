// Staff accounts and API tokens (issue 6 item 5 and the 学校管理 UI), for the admin pages and the
// operator's CLI alike.
export {
  createStaffAccount,
  creatableRoles,
  managesAccount,
  resetStaffPassword,
  setStaffAccountDisabled,
  staffAccountsPage,
  type NewStaffAccount,
  type StaffAccountsPage,
} from './accounts';
export { createOwnApiToken, ownApiTokens, revokeOwnApiToken } from './tokens';
