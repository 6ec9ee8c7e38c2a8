// How both apps connect to the relay (SMTP_URL): the web for its single transactional mails,
// the dispatcher for bulk sending. One set of timeouts and safety options, so they cannot drift.

/**
 * nodemailer SMTP transport options shared by every connection to the relay: our own domain in
 * EHLO, timeouts that give up on a hung relay, no logging (addresses), no file or URL fetches.
 */
export function relayConnectionOptions(smtpUrl: string, mailDomain: string) {
  return {
    url: smtpUrl,
    name: mailDomain,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    logger: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
