import type { Db } from '@renraku/db';
import type { Bus } from '@renraku/shared/bus';
import type { Keys } from '@renraku/shared/crypto';
import type { Logger } from '@renraku/shared/logger';

/** One plain-text mail to one parent; the address is used here and never logged. */
export interface TransactionalMail {
  to: string;
  /** The sender's display name (parentMailSender). */
  fromName: string;
  subject: string;
  text: string;
}

/** Sends the parents' few transactional mails (registration completed, password reset). */
export interface TransactionalMailer {
  /** Resolves when the relay accepted the mail; rejects without the address in the error. */
  send(mail: TransactionalMail): Promise<void>;
  close(): void;
}

/**
 * What every domain service works with, whichever door (page, API, socket, CLI) called it.
 * Opened once by the process that starts; a door adds only its own glue (the web: cookies, env).
 */
export interface CoreContext {
  db: Db;
  bus: Bus;
  keys: Keys;
  logger: Logger;
  /** Absent where no parent mail can be sent (the CLI). */
  mailer?: TransactionalMailer;
}
