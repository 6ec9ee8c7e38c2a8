/** What `pnpm cli help` prints; also shown after a usage error's hint. */
export const HELP = `Renraku operator CLI

Usage: pnpm cli <command> [options]

Commands:
  migrate                 Apply the database migrations (safe to repeat).
  seed-demo               Migrate, then create the demo district (みなと市教育委員会) in an
                          empty database. Demo only: never next to real data.
  list-schools [--json] [--district CODE]
                          Schools with their codes and registration addresses.
  create-staff --role board|school_admin|teacher --login LOGIN --name NAME
               [--district CODE] [--school CODE] [--class-id ID | --grade G --class NAME]
                          Create a staff login. The password (at least 12 characters) is read
                          from stdin: piped (first line) or typed at the prompt.
                          board: no school; school_admin: --school; teacher: --school and a
                          class of that school in the current school year (--class 2 = 「2組」).
  create-api-token --login LOGIN [--name NAME]
                          Issue an API token for a staff user. The token is printed once on
                          stdout; only its hash is stored.
  generate-vapid-keys [--subject mailto:ADDRESS|https://URL]
                          Print a new Web Push key pair as VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY
                          and VAPID_SUBJECT lines for the web's and the dispatcher's env file
                          (subject default mailto:no-reply@MAIL_DOMAIN). Nothing is stored.
  retention [--dry-run] [--json]
                          Delete what is past its period (RETAIN_MESSAGES_DAYS, default 1095;
                          RETAIN_UNPARSED_BOUNCES_DAYS, 90; RETAIN_TOKENS_DAYS, 7), as the
                          dispatcher's nightly job does, and record it in the audit trail.
                          --dry-run counts the same and deletes nothing.
  rotate-secret [--batch-size N] [--json]
                          Re-encrypt every address and push subscription and recompute every
                          blind index under SECRET_KEY, reading what is under
                          SECRET_KEY_PREVIOUS (both set, as on every running process). In
                          batches of N mailboxes (default 500); sending goes on; safe to run
                          again after a crash. Refuses, changing nothing, when a stored key is
                          neither of the two. See the README's "Rotating SECRET_KEY".
  templates seed [--district CODE]
                          Install the seed catalogue's templates (臨時休業 …) that each district
                          (or the one named) does not have yet, by key; safe to repeat, edited
                          templates stay as they are.
  help                    This text.

Environment:
  DATABASE_URL   postgres:// URL; unset: the embedded database in DATA_DIR (default ./data).
                 Stop \`pnpm start\` first: the embedded database takes one process at a time.
  SECRET_KEY     Required with DATABASE_URL (seed-demo encrypts addresses with it).
  SECRET_KEY_PREVIOUS
                 The key being replaced, during rotate-secret only.
  MAIL_DOMAIN    Domain of the schools' registration addresses (default renraku.test).

Exit codes: 0 done, 1 failed (unknown login, school…), 2 bad command line.
`;
