export type { CoreContext, TransactionalMail, TransactionalMailer } from './context';
