// School administration services (PRODUCT.md §3.5) for the admin pages: every function takes
// the staff member's server-derived scope and throws ServiceError (@renraku/shared) when refused.
export { assertSchoolAdminScope, loadAdminSchool, type StaffActor } from './scope';
export { MAX_FILE_BYTES, MAX_ROWS } from './csv';
export { currentClasses, currentSchoolYear } from './classes';
export {
  importRoster,
  previewRosterImport,
  type RosterImportInput,
  type RosterImportOptions,
  type RosterImportPreview,
  type RosterImportResult,
  type RosterRowPreview,
} from './import';
export {
  childKeysOf,
  loadSchoolRoster,
  matchInClass,
  matchRegistrations,
  type MatchSummary,
} from './matching';
export {
  previewRollover,
  rolloverSchool,
  type RolloverInput,
  type RolloverPreview,
  type RolloverResult,
} from './rollover';
export {
  listRoster,
  previewTransferOut,
  transferStudentOut,
  type RosterListing,
  type TransferPreview,
} from './students';
export {
  AUTH_CODE_ALPHABET,
  AUTH_CODE_LENGTH,
  generateAuthCode,
  getAuthCodes,
  normalizeAuthCodeInput,
  rotateClassAuthCode,
  rotateSchoolAuthCode,
  type AuthCodes,
} from './auth-codes';
export {
  registrationStatistics,
  statisticsFilterOf,
  type ClassStatistics,
  type GradeStatistics,
  type RegistrationRate,
  type SchoolStatistics,
} from './statistics';
export {
  listUnmatched,
  matchToStudent,
  moveToClass,
  type CandidateReason,
  type RosterCandidateRow,
  type UnmatchedListing,
  type UnmatchedRow,
} from './unmatched';
