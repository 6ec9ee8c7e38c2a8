import type { refusalJa } from './refusal.ja';

// English for every key of refusal.ja.ts; the type makes a missing key a compile error.
export const refusalEn: Record<keyof typeof refusalJa, string> = {
  'refusal.unknown': 'The action could not be completed.',
  'refusal.page.boardOnly': 'Only the board of education can use this page.',
  'refusal.page.schedulesBoardOnly': 'Only the board of education can use scheduled sends.',
  'refusal.page.schoolAdminOnly': "Only this school's administrators can use this page.",
  'refusal.page.adminOnly':
    "Only this school's administrators and the board of education can use this page.",
  'refusal.roster.schoolAdminOnly': "Only this school's administrators can do this.",
  'refusal.csv.empty': 'The file is empty.',
  'refusal.csv.tooLarge': 'The file is too large (limit {megabytes} MB).',
  'refusal.csv.encoding':
    'The character encoding cannot be recognised. Save the file again as CSV (UTF-8 or Shift_JIS).',
  'refusal.csv.malformed': 'The CSV file is malformed.',
  'refusal.csv.malformedNear': 'The CSV file is malformed (near line {line}).',
  'refusal.csv.noHeader': 'The first line must be a header line (the column names).',
  'refusal.csv.noRows': 'The file has no data rows.',
  'refusal.csv.tooManyRows': 'Too many rows ({rows} rows, limit {max}).',
  'refusal.csv.duplicateColumn': 'Two columns mean the same: “{column}”.',
  'refusal.roster.rowsWithErrors':
    '{count} rows have errors, so nothing was imported. Correct them, or choose to import only the valid rows.',
  'refusal.roster.missingColumns':
    'Required columns are missing: {columns}. Give the first line headers such as “学籍番号, 学年, 組, 氏名, ふりがな, 世帯番号, 電話1, 電話2”.',
  'refusal.statistics.otherSchool': "You cannot see another school's registrations.",
  'refusal.student.notInRoster': "That student is not on this school's roster.",
  'refusal.student.alreadyLeft': 'This student has already transferred out or graduated.',
  'refusal.rollover.assignmentErrors':
    'The class-assignment file has errors, so the school year was not rolled over.',
  'refusal.rollover.noClasses': 'There are no classes. Import the roster first.',
  'refusal.rollover.done':
    'The roll-over from school year {year} is done. The next roll-over can be made during school year {year} (from March).',
  'refusal.rollover.assignmentColumns':
    'The class-assignment file needs the columns “学籍番号” (roster number) and “組” (class); “学年” (grade) is optional.',
  'refusal.unmatched.adminsOnly':
    "Only this school's administrators and the board of education can do this.",
  'refusal.unmatched.schoolNotFound': 'That school was not found.',
  'refusal.unmatched.registrationNotFound': 'That registration was not found.',
  'refusal.unmatched.studentNotInRoster': "That student is not on this school's roster.",
  'refusal.unmatched.classNotCurrent': "That class is not one of this school's classes this year.",
  'refusal.class.notInSchool': 'This school has no such class.',
  'refusal.accounts.notAnAdmin':
    'Only the board of education and school administrators can manage staff accounts.',
  'refusal.accounts.passwordRule':
    'The password must have at least {min} characters (at most 200).',
  'refusal.accounts.roleNotCreatable': 'You cannot create this kind of account.',
  'refusal.accounts.loginRule':
    'The login ID must be 3–64 letters, digits, “.”, “_” or “-”, starting with a letter or digit.',
  'refusal.accounts.nameRule':
    'Enter the name on one line (up to 100 characters, no control characters).',
  'refusal.accounts.loginTaken': 'The login ID “{login}” is already in use.',
  'refusal.accounts.chooseSchool': 'Choose a school.',
  'refusal.accounts.chooseClass': 'Choose a class of this school.',
  'refusal.accounts.notYours': 'You may not manage this account.',
  'refusal.upload.chooseCsv': 'Choose a CSV file.',
  'refusal.upload.expired':
    'The confirmation has expired or the file is not valid. Choose the file again and preview it.',
  'refusal.tokens.nameRule':
    "Enter the token's name (what it is for) on one line (up to {max} characters, no control characters).",
  'refusal.tokens.notFound': 'That token does not exist or has already been revoked.',
  'refusal.audit.adminOnly':
    "Only a school's administrators and the board can read the audit trail.",
  'refusal.audit.otherSchool': "You cannot read another school's audit trail.",
  'refusal.audit.badDate': 'Enter a real date in the form 2026-04-07.',
  'refusal.audit.toBeforeFrom': 'The end date must be the start date or later.',
  'refusal.audit.unknownAction': 'There is no such action; choose one from the list.',
  'refusal.audit.badId': 'A filter value is not valid; choose one from the list.',
};
