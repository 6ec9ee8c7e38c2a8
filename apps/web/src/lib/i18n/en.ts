import { composeEn } from './compose.en';
import { confirmEn } from './confirm.en';
import { adminEn } from './admin.en';
import { auditEn } from './audit.en';
import { cancelEn } from './cancel.en';
import { inboxEn } from './inbox.en';
import { resendEn } from './resend.en';
import { attachmentsEn } from './attachments.en';
import type { MessageKey } from './ja';
import { liveEn } from './live.en';
import { liveConfirmEn } from './live-confirm.en';
import { outboxEn } from './outbox.en';
import { parentEn } from './parent.en';
import { pushEn } from './push.en';
import { registrationEn } from './registration.en';
import { refusalEn } from './refusal.en';
import { templatesEn } from './templates.en';

// English for every Japanese key; the type makes a missing key a compile error.
export const en: Record<MessageKey, string> = {
  'app.name': 'School Emergency Mail',
  'app.tagline': 'Emergency notices from the schools and the board of education to families.',
  'lang.switchTo': '日本語',
  'home.staff.title': 'School and board staff',
  'home.staff.body': 'Log in to send messages, follow deliveries and work the call lists.',
  'home.staff.link': 'Staff login',
  'home.parent.title': 'Parents and guardians',
  'home.parent.body':
    'To check or change your registration, add an address or withdraw, log in through the lower QR code of your registration sheet.',
  'staff.login.title': 'Staff login',
  'staff.login.loginId': 'Login ID',
  'staff.login.password': 'Password',
  'staff.login.submit': 'Log in',
  'staff.login.invalid': 'The login ID or the password is wrong.',
  'staff.login.required': 'Enter your login ID and password.',
  'staff.login.rateLimited':
    'Too many failed attempts. Please wait about {minutes} minutes and try again.',
  'staff.logout': 'Log out',
  'staff.nav.label': 'Menu',
  'staff.nav.home': 'Home',
  'staff.home.title': 'Home',
  'staff.home.greeting': 'Welcome, {name}.',
  'staff.home.scopeHeading': 'Your scope',
  'staff.home.role': '({role})',
  'staff.home.scopeNote': 'Sending, delivery status and call lists are limited to this scope.',
  'role.board': 'Board of education',
  'role.school_admin': 'School administrator',
  'role.teacher': 'Class teacher',
  'scope.district': 'Every school of {district}',
  'scope.school': '{school} (all grades)',
  'scope.class': '{school}, grade {grade} {class}',
  'outbox.title': 'Outbox (demo)',
  'outbox.lead':
    'In the demo, mail is not really sent: it arrives here, including the replies to parents.',
  'outbox.refresh': 'Refresh',
  'outbox.empty': 'No mail yet.',
  'outbox.receivedAt': 'Time',
  'outbox.to': 'To',
  'outbox.subject': 'Subject',
  'outbox.noSubject': '(no subject)',
  'outbox.back': 'Back to the outbox',
  'outbox.from': 'From',
  'outbox.body': 'Body',
  'outbox.headers': 'Headers',
  'error.title': 'Error',
  'error.notFound': 'Page not found.',
  'error.forbidden': 'You may not see this page.',
  'error.generic': 'Something went wrong. Please try again in a moment.',
  'error.home': 'Home page',
  ...adminEn,
  ...auditEn,
  ...inboxEn,
  ...refusalEn,
  ...templatesEn,
  ...liveEn,
  ...liveConfirmEn,
  ...parentEn,
  ...composeEn,
  ...cancelEn,
  ...resendEn,
  ...attachmentsEn,
  ...registrationEn,
  ...outboxEn,
  ...confirmEn,
  ...pushEn,
};
