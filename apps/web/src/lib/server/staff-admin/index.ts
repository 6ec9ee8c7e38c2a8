// Staff accounts, API tokens and the admin pages' helpers (issue 6 item 5 and the 学校管理 UI).
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
export { holdUpload, uploadedFile, type HeldUpload, type HoldOwner } from './held-upload';
export { actorOf, idFrom, jstText, loaded, refused, textFrom } from './http';
export { sheetTargetFrom } from './sheets';
