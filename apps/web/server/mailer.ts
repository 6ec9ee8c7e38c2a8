import nodemailer from 'nodemailer';
import { noReplyMailbox } from '@renraku/shared';
import type { Logger } from '@renraku/shared/logger';
import { composeMail } from '@renraku/shared/mail';
import { relayConnectionOptions } from '@renraku/shared/smtp';
import type { WebEnv } from './env';
import type { TransactionalMailer } from '@renraku/core';

// The web's own few transactional mails (registration completed, password reset), sent one by
// one through the same relay (SMTP_URL) the dispatcher uses. Bulk sending stays the
// dispatcher's; these are single mails a parent's click triggers, so a plain transport is enough.
// They are composed by the one charset rule of every mail (ISO-2022-JP to feature phones).

/** A transport to SMTP_URL, or a mailer that only logs when the web runs without one. */
export function createWebMailer(
  env: Pick<WebEnv, 'smtpUrl' | 'mailDomain' | 'featurePhoneDomains'>,
  logger: Logger,
): TransactionalMailer {
  if (!env.smtpUrl) {
    return {
      send: async () => {
        logger.warn('SMTP_URL is not set: a parent mail was not sent');
      },
      close: () => {},
    };
  }
  const transport = nodemailer.createTransport(relayConnectionOptions(env.smtpUrl, env.mailDomain));
  const from = noReplyMailbox(env.mailDomain);
  return {
    async send(mail) {
      try {
        await transport.sendMail(
          composeMail(env.featurePhoneDomains, {
            from: { name: mail.fromName, address: from },
            to: mail.to,
            subject: mail.subject,
            text: mail.text,
            // RFC 3834: a machine wrote this, so auto-responders must not answer it.
            headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
          }),
        );
      } catch (error) {
        const { responseCode, code } = error as { responseCode?: unknown; code?: unknown };
        throw new Error(`the relay did not take a parent mail (${String(responseCode ?? code)})`);
      }
    },
    close: () => transport.close(),
  };
}
