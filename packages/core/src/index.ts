export type { ActingStaff } from './acting-staff';
export type { CoreContext, TransactionalMail, TransactionalMailer } from './context';
