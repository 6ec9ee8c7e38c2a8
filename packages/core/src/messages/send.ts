import { createHash } from 'node:crypto';
import {
  createMessage,
  findTargetIds,
  previewMessage,
  recordAuditEvent,
  type Db,
  type MessagePreview,
  type Tx,
} from '@renraku/db';
import {
  ATTACHMENT_MAX_BYTES_DEFAULT,
  BODY_MAX,
  MAX_GRADE,
  messageInputSchema,
  schoolYearOf,
  ServiceError,
  SUBJECT_MAX,
  type ConfirmRequest,
  type FieldRefusal,
  type MessageCategory,
  type MessageTarget,
  type ServiceErrorKind,
  type ServiceErrorParams,
  scopeSchool,
  type StaffScope,
} from '@renraku/shared';
import type { z } from 'zod';
import type { CoreContext } from '../context';
import type { ActingStaff } from '../acting-staff';
import { attachToMessage, checkAttachmentIds } from '../attachments';
import { checkConfirm, type ConfirmProblemKey } from './confirm';
import { templateMessage, type TemplateSend } from '../templates/compose';

// The one send service behind the compose page and POST /api/v1/messages: validation, the
// target checked against the author's scope on the server, the preview figures, and the send
// itself with its idempotency key and its audit row, in one transaction.

/** A scheduled send may wait this long at most; further ahead is more likely a typo. */
export const SCHEDULE_MAX_DAYS = 30;

/** Idempotency keys come from our own form (randomToken) or an integration's retry logic. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** The fields a compose form (or an API body) has, as errors name them. */
export type ComposeField =
  | 'category'
  | 'subject'
  | 'body'
  | 'target'
  | 'scheduledAt'
  | 'idempotencyKey'
  | 'dayOfMonth'
  | 'timeOfDay'
  | 'confirm'
  | 'attachments';

/** The web catalogue's keys a compose or schedule refusal names (the web's t() checks them). */
export type FieldProblemKey =
  | 'compose.error.category'
  | 'compose.error.controlCharacters'
  | 'compose.error.expired'
  | 'compose.error.noRecipients'
  | 'compose.error.oneLine'
  | 'compose.error.outsideScope'
  | 'compose.error.required'
  | 'compose.error.scheduledAt'
  | 'compose.error.scheduledPast'
  | 'compose.error.scheduledTooFar'
  | 'compose.error.target'
  | 'compose.error.tooLong'
  | 'compose.error.unknownTarget'
  | 'schedules.error.classes'
  | 'schedules.error.day'
  | 'schedules.error.time'
  | ConfirmProblemKey;

/** A message as the service accepted it: trimmed text, a checked target, a time or null. */
export interface CheckedMessage {
  category: MessageCategory;
  subject: string;
  body: string;
  target: MessageTarget;
  /** Null sends at once. */
  scheduledAt: Date | null;
  /** 安否確認: what families are asked; null asks nothing. */
  confirm: ConfirmRequest | null;
  /** The sender's own unsent uploads the send binds to the message, sorted. */
  attachmentIds: number[];
  /** The template it is written from, with its filled variants; null for a free message. */
  template: TemplateSend['template'] | null;
}

export interface PreviewResult {
  message: CheckedMessage;
  preview: MessagePreview;
}

export interface SendResult {
  id: number;
  created: boolean;
  scheduledAt: Date | null;
}

/** The API's `error` word of each send refusal, and the kind that gives its status. */
const REFUSAL_KIND = {
  invalid_input: 'invalid',
  unknown_target: 'invalid',
  outside_scope: 'forbidden',
  no_recipients: 'invalid',
  idempotency_key_reused: 'unprocessable',
} as const satisfies Record<string, ServiceErrorKind>;

export type SendRefusalCode = keyof typeof REFUSAL_KIND;

/** A refusal of one field; nothing was stored. */
export function refusal(
  code: SendRefusalCode,
  field: ComposeField,
  key: FieldProblemKey,
  params: ServiceErrorParams = {},
): ServiceError {
  return new ServiceError(REFUSAL_KIND[code], key, params, { code, field });
}

const FIELDS = new Set<string>(['category', 'subject', 'body', 'target', 'scheduledAt']);

/** The page's wording of one zod issue; the first issue of a field wins. */
function problemOf(field: ComposeField, issue: z.core.$ZodIssue): FieldRefusal {
  switch (field) {
    case 'category':
      return { key: 'compose.error.category' };
    case 'target':
      return { key: 'compose.error.target' };
    case 'scheduledAt':
      return { key: 'compose.error.scheduledAt' };
    default: {
      const max = field === 'subject' ? SUBJECT_MAX : BODY_MAX;
      if (issue.code === 'too_big') return { key: 'compose.error.tooLong', params: { max } };
      if (issue.code === 'custom') {
        return issue.message.includes('one line')
          ? { key: 'compose.error.oneLine' }
          : { key: 'compose.error.controlCharacters' };
      }
      return { key: 'compose.error.required' };
    }
  }
}

/** Every refused field of the input at once; the first one's message is the refusal's. */
function invalidInput(error: z.ZodError): ServiceError {
  const fields: Partial<Record<ComposeField, FieldRefusal>> = {};
  for (const issue of error.issues) {
    const head = String(issue.path[0] ?? '');
    const field = (FIELDS.has(head) ? head : 'target') as ComposeField;
    fields[field] ??= problemOf(field, issue);
  }
  const [first] = Object.values(fields);
  return new ServiceError('invalid', first?.key ?? 'compose.error.required', first?.params, {
    code: 'invalid_input',
    fields: fields as Record<string, FieldRefusal>,
    issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  });
}

const unique = (ids: number[]) => [...new Set(ids)].sort((a, b) => a - b);

/** The same target with duplicates removed, so that the stored target reads cleanly. */
function normalized(target: MessageTarget): MessageTarget {
  switch (target.kind) {
    case 'district':
      return target;
    case 'schools':
      return { kind: 'schools', schoolIds: unique(target.schoolIds) };
    case 'grades':
      return { kind: 'grades', schoolId: target.schoolId, grades: unique(target.grades) };
    case 'classes':
      return { kind: 'classes', classIds: unique(target.classIds) };
  }
}

const outside = () => refusal('outside_scope', 'target', 'compose.error.outsideScope');
const unknown = () => refusal('unknown_target', 'target', 'compose.error.unknownTarget');

/**
 * Whether the scope may send to the target: the board anywhere in its district, a school
 * admin only in its school, a teacher only to its own class. Ids the district does not have
 * are unknown; ids of another school or class are outside the scope.
 */
export async function checkTarget(
  db: Db | Tx,
  scope: StaffScope,
  target: MessageTarget,
  schoolYear: number,
): Promise<ServiceError | null> {
  if (scope.role === 'teacher') {
    const own = target.kind === 'classes' && target.classIds.length === 1;
    if (!own || target.classIds[0] !== scope.classId) return outside();
  }
  const found = await findTargetIds(db, scope.districtId, schoolYear, {
    schoolIds:
      target.kind === 'schools'
        ? target.schoolIds
        : target.kind === 'grades'
          ? [target.schoolId]
          : [],
    classIds: target.kind === 'classes' ? target.classIds : [],
  });
  const schoolOnly = scope.role === 'board' ? undefined : scope.schoolId;
  switch (target.kind) {
    case 'district':
      return scope.role === 'board' ? null : outside();
    case 'schools':
      if (schoolOnly !== undefined && target.schoolIds.some((id) => id !== schoolOnly)) {
        return outside();
      }
      return found.schools.length === target.schoolIds.length ? null : unknown();
    case 'grades': {
      if (schoolOnly !== undefined && target.schoolId !== schoolOnly) return outside();
      const school = found.schools[0];
      if (!school || target.grades.some((grade) => grade > MAX_GRADE[school.kind])) {
        return unknown();
      }
      return null;
    }
    case 'classes':
      if (found.classes.length !== target.classIds.length) return unknown();
      if (schoolOnly !== undefined && found.classes.some((c) => c.schoolId !== schoolOnly)) {
        return outside();
      }
      return null;
  }
}

/**
 * Validates the input and its target; a time in the past, or too far ahead, is refused.
 * @throws ServiceError
 */
export async function checkMessage(
  db: Db | Tx,
  scope: StaffScope,
  raw: unknown,
  now: Date,
): Promise<CheckedMessage> {
  // A template's filled Japanese stands in for subject and body (a free message's own).
  const templated = await templateMessage(db, scope, raw);
  const parsed = messageInputSchema.safeParse(
    templated ? { ...(raw as object), ...templated, template: undefined } : raw,
  );
  if (!parsed.success) throw invalidInput(parsed.error);
  const { category, subject, body, scheduledAt: at } = parsed.data;
  const scheduledAt = at === undefined ? null : new Date(at);
  if (scheduledAt && scheduledAt <= now) {
    throw refusal('invalid_input', 'scheduledAt', 'compose.error.scheduledPast');
  }
  if (scheduledAt && scheduledAt.getTime() - now.getTime() > SCHEDULE_MAX_DAYS * 86_400_000) {
    throw refusal('invalid_input', 'scheduledAt', 'compose.error.scheduledTooFar', {
      days: SCHEDULE_MAX_DAYS,
    });
  }
  const attachmentIds = checkAttachmentIds(raw);
  const confirm = checkConfirm(category, raw);
  if (!confirm.ok) {
    throw new ServiceError('invalid', confirm.problem.key, confirm.problem.params, {
      code: 'invalid_input',
      field: 'confirm',
      issues: [{ path: confirm.path, message: confirm.message }],
    });
  }
  const target = normalized(parsed.data.target);
  const refused = await checkTarget(db, scope, target, schoolYearOf(now));
  if (refused) throw refused;
  return {
    category,
    subject,
    body,
    target,
    scheduledAt,
    confirm: confirm.confirm,
    attachmentIds,
    template: templated?.template ?? null,
  };
}

/** A target with nobody on it is almost certainly a mistake (an empty grade, last year's class). */
function refuseNobodyIn(preview: MessagePreview): void {
  if (preview.recipients === 0 && preview.households === 0) {
    throw refusal('no_recipients', 'target', 'compose.error.noRecipients');
  }
}

/**
 * The confirmation's figures: the exact number of addresses the send would mail and of
 * households that would be on the call list, by the same resolution the send uses.
 * @throws ServiceError
 */
export async function previewSend(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'scope'>,
  raw: unknown,
  now: Date = new Date(),
): Promise<PreviewResult> {
  const message = await checkMessage(ctx.db, staff.scope, raw, now);
  const preview = await previewMessage(
    ctx.db,
    staff.scope.districtId,
    message.target,
    schoolYearOf(now),
    message.category,
  );
  refuseNobodyIn(preview);
  return { message, preview };
}

/** JSON with object keys sorted, so that one request always gives one text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What an idempotency key is bound to: the message as the service accepted it (trimmed, the
 * time as an instant), so a retry with the keys in another order is the same request.
 */
export function requestHashOf(message: CheckedMessage): string {
  const canonical = canonicalJson({
    ...message,
    scheduledAt: message.scheduledAt?.toISOString() ?? null,
    // Left out when null, so a message that asks nothing hashes as it did before 安否確認.
    confirm: message.confirm ?? undefined,
    // Likewise without attachments.
    attachmentIds: message.attachmentIds.length > 0 ? message.attachmentIds : undefined,
    // The template and its slot values (so another date under the same key is refused).
    template: message.template
      ? { id: message.template.id, slots: message.template.slots }
      : undefined,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** How the send came in, for the audit. */
export type SendChannel = 'form' | 'api';

/**
 * Sends (or schedules) a message exactly once per idempotency key and author, and audits it
 * with who, what category, which target and how many recipients (never an address). A repeat
 * with the same key returns the first message's id with `created: false` and changes nothing.
 * @throws ServiceError
 */
export async function sendMessage(
  ctx: Pick<CoreContext, 'db' | 'bus' | 'logger'>,
  staff: Pick<ActingStaff, 'id' | 'scope' | 'apiTokenId'>,
  raw: unknown,
  options: {
    idempotencyKey: string | null;
    channel: SendChannel;
    /** ATTACHMENT_MAX_BYTES of the door's configuration. */
    attachmentMaxBytes?: number;
  },
  now: Date = new Date(),
): Promise<SendResult> {
  const { idempotencyKey } = options;
  if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw refusal('invalid_input', 'idempotencyKey', 'compose.error.expired');
  }
  const { scope } = staff;
  const message = await checkMessage(ctx.db, scope, raw, now);
  const result = await ctx.db.transaction(async (tx): Promise<SendResult> => {
    const preview = await previewMessage(
      tx,
      scope.districtId,
      message.target,
      schoolYearOf(now),
      message.category,
    );
    refuseNobodyIn(preview);
    const { id, created, sameRequest } = await createMessage(
      tx,
      {
        districtId: scope.districtId,
        schoolId: scopeSchool(scope),
        authorId: staff.id,
        ...message,
        idempotencyKey,
        requestHash: requestHashOf(message),
      },
      now,
    );
    if (!sameRequest) {
      throw refusal('idempotency_key_reused', 'idempotencyKey', 'compose.error.expired');
    }
    if (created) {
      await attachToMessage(
        tx,
        staff.id,
        id,
        message.attachmentIds,
        options.attachmentMaxBytes ?? ATTACHMENT_MAX_BYTES_DEFAULT,
      );
      await recordAuditEvent(tx, {
        districtId: scope.districtId,
        schoolId: scopeSchool(scope),
        actorType: 'staff',
        actorId: staff.id,
        action: 'message.send',
        subjectType: 'message',
        subjectId: String(id),
        detail: {
          category: message.category,
          target: message.target,
          scheduledAt: message.scheduledAt?.toISOString() ?? null,
          confirm: message.confirm,
          recipients: preview.recipients,
          callListHouseholds: preview.callListHouseholds,
          channel: options.channel,
          attachmentIds: message.attachmentIds,
          apiTokenId: staff.apiTokenId,
        },
      });
    }
    return { id, created, scheduledAt: message.scheduledAt };
  });
  if (result.created) {
    ctx.logger.info(
      {
        messageId: result.id,
        category: message.category,
        target: message.target.kind,
        scheduledAt: message.scheduledAt?.toISOString(),
        channel: options.channel,
      },
      'message sent',
    );
  }
  if (result.created && !result.scheduledAt) {
    // Dispatchers poll as well; this only spares a send the wait for the next poll.
    await ctx.bus.publish('messageQueued', { messageId: result.id });
  }
  return result;
}
