import {
  deleteExpiredSessions,
  deleteExpiredTokens,
  deleteFinishedMessages,
  deleteLeftStudents,
  deleteOrphanHouseholds,
  deleteUnsentAttachments,
  deleteUnparsedBounceReports,
  listDistricts,
  lockRetention,
  recordAuditEvent,
  type Db,
} from '@renraku/db';
import type { RetentionPolicy } from '@renraku/shared/retention';

// Retention (issue 17): one run deletes everything whose period is over, in one transaction
// under an installation-wide lock, and records in every district's audit trail what it deleted
// there and in the installation. A dry run makes the same statements and rolls them back, so
// it counts exactly what a run would delete. Decisions:
// - A message goes whole once it finished more than `messagesDays` ago: its deliveries, answers,
//   roster snapshot, call-list marks and bounce reports with it; a 3-year-old closure's figures
//   mean nothing without its families.
// - Graduates and transfers keep a roster row only while a kept message refers to it (roll-over
//   and 転出 delete the rest at once); once those messages are gone, so are the rows, and the
//   households nobody needs any more.
// - Unparsed bounce reports (kept for an operator to read) go after their own period,
//   registration links after theirs past expiry, sessions as soon as they expire.
// - Attachments uploaded for a message that was never sent go after a day: the compose form
//   that held them is long gone.

/** What one district lost. */
export interface DistrictRetention {
  districtId: number;
  messages: number;
  deliveries: number;
  answers: number;
  leftStudents: number;
  households: number;
}

/** What the installation lost, beyond any one district. */
export interface InstallationRetention {
  unparsedBounces: number;
  tokens: number;
  sessions: number;
  unsentAttachments: number;
}

export interface RetentionRun {
  dryRun: boolean;
  /** Every district, those that lost nothing included. */
  districts: DistrictRetention[];
  installation: InstallationRetention;
}

class DryRun extends Error {
  constructor(readonly run: RetentionRun) {
    super('dry run: rolled back');
  }
}

/** An upload not sent within this is abandoned. */
const UNSENT_ATTACHMENT_DAYS = 1;

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

/** How many of `districtIds` are `districtId`. */
const occurrences = (districtIds: number[], districtId: number) =>
  districtIds.filter((id) => id === districtId).length;

/** Runs (or, dry, counts) retention at `now`; null when another process is running it. */
export async function runRetention(
  db: Db,
  policy: RetentionPolicy,
  options: { dryRun?: boolean; now?: Date } = {},
): Promise<RetentionRun | null> {
  const now = options.now ?? new Date();
  const dryRun = options.dryRun ?? false;
  try {
    return await db.transaction(async (tx) => {
      if (!(await lockRetention(tx))) return null;
      const messages = await deleteFinishedMessages(tx, daysBefore(now, policy.messagesDays));
      // After the messages: their roster snapshots were what kept these.
      const students = await deleteLeftStudents(tx);
      const households = await deleteOrphanHouseholds(tx, null);
      const installation = {
        unparsedBounces: await deleteUnparsedBounceReports(
          tx,
          daysBefore(now, policy.unparsedBouncesDays),
        ),
        tokens: await deleteExpiredTokens(tx, daysBefore(now, policy.tokensDays)),
        sessions: await deleteExpiredSessions(tx, now),
        unsentAttachments: await deleteUnsentAttachments(
          tx,
          daysBefore(now, UNSENT_ATTACHMENT_DAYS),
        ),
      };
      const districts = (await listDistricts(tx)).map(({ id: districtId }) => ({
        districtId,
        messages: 0,
        deliveries: 0,
        answers: 0,
        ...messages.find((row) => row.districtId === districtId),
        leftStudents: occurrences(students, districtId),
        households: occurrences(households, districtId),
      }));
      const run = { dryRun, districts, installation };
      if (dryRun) throw new DryRun(run);
      for (const { districtId, ...deleted } of districts) {
        await recordAuditEvent(tx, {
          districtId,
          actorType: 'system',
          actorId: null,
          action: 'retention.run',
          detail: { ...deleted, ...installation, policy },
        });
      }
      return run;
    });
  } catch (error) {
    if (error instanceof DryRun) return error.run;
    throw error;
  }
}
