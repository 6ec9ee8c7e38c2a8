import { createHash } from 'node:crypto';
import {
  bindAttachments,
  countAttachmentDownload,
  findMessageInScope,
  findSentAttachmentFile,
  findUnsentAttachments,
  insertAttachments,
  listMessageAttachments,
  recordAuditEvent,
  type AttachmentFile,
  type Db,
  type ListedAttachment,
  type NewAttachment,
  type Tx,
  type UnsentAttachment,
} from '@renraku/db';
import {
  ATTACHMENT_CONTENT_TYPES,
  ATTACHMENT_MAX_FILES,
  formatByteSize,
  scopeFilter,
  scopeSchool,
  ServiceError,
  type ServiceErrorParams,
} from '@renraku/shared';
import { attachmentOfToken, attachmentToken } from '@renraku/shared/attachment-token';
import type { Keys } from '@renraku/shared/crypto';
import type { ActingStaff } from '../acting-staff';
import type { CoreContext } from '../context';
import { isPolyglot, recogniseKind } from './content';
import { cleanFileName } from './file-name';
import { reencodeImage } from './image';

// Attachments (添付) from upload to download. An upload is checked and stored at once, unsent
// and owned by its uploader (the compose page's preview step, or POST /api/v1/attachments);
// the send binds the uploader's own unsent ids to the message in its transaction; a family
// opens a sent one by its signed link, staff in scope by the message's page.

/** One file as a door received it. */
export interface UploadedFile {
  /** The name the client gave; only cleaned and listed, never trusted for the type. */
  name: string;
  bytes: Uint8Array;
}

/** The web catalogue's keys an attachment refusal names. */
export type AttachmentProblemKey =
  | 'attachments.error.type'
  | 'attachments.error.polyglot'
  | 'attachments.error.empty'
  | 'attachments.error.tooLarge'
  | 'attachments.error.tooMany'
  | 'attachments.error.unknown'
  | 'attachments.error.ids';

/** A refusal of the `attachments` field; nothing was stored. */
function refusal(key: AttachmentProblemKey, params: ServiceErrorParams = {}): ServiceError {
  return new ServiceError('invalid', key, params, {
    code: 'invalid_attachment',
    field: 'attachments',
  });
}

const tooLarge = (maxBytes: number) =>
  refusal('attachments.error.tooLarge', { max: formatByteSize(maxBytes) });
const tooMany = () => refusal('attachments.error.tooMany', { max: ATTACHMENT_MAX_FILES });
const unknown = () => refusal('attachments.error.unknown');

const sizeOf = (rows: { byteSize: number }[]) => rows.reduce((sum, row) => sum + row.byteSize, 0);

type StoredForm = Omit<NewAttachment, 'districtId' | 'schoolId' | 'uploaderId'>;

/** What is stored of one file: recognised, checked, images re-encoded with a preview. */
async function storedFormOf(file: UploadedFile): Promise<StoredForm> {
  if (file.bytes.byteLength === 0) throw refusal('attachments.error.empty', { name: file.name });
  const kind = recogniseKind(file.bytes);
  if (!kind) throw refusal('attachments.error.type', { name: file.name });
  if (isPolyglot(file.bytes, kind))
    throw refusal('attachments.error.polyglot', { name: file.name });
  let content: Buffer = Buffer.from(file.bytes);
  let preview: NewAttachment['preview'] = null;
  if (kind !== 'pdf') {
    try {
      ({ content, preview } = await reencodeImage(file.bytes, kind));
    } catch {
      // It starts like an image and is none: as refused as any other type.
      throw refusal('attachments.error.type', { name: file.name });
    }
  }
  return {
    fileName: cleanFileName(file.name, kind),
    contentType: ATTACHMENT_CONTENT_TYPES[kind],
    sha256: createHash('sha256').update(content).digest('hex'),
    content,
    preview,
  };
}

/**
 * The attachments a compose form holds: the uploader's unsent ones it keeps, and new files,
 * checked and stored (all or none). At most ATTACHMENT_MAX_FILES and `maxBytes` together;
 * the upload is audited.
 * @throws ServiceError
 */
export async function stageAttachments(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'id' | 'scope' | 'apiTokenId'>,
  input: { keep: number[]; files: UploadedFile[] },
  maxBytes: number,
  channel: 'form' | 'api',
): Promise<UnsentAttachment[]> {
  const keep = [...new Set(input.keep)];
  const kept = await heldAttachments(ctx, staff, keep);
  if (kept.length !== keep.length) throw unknown();
  if (kept.length + input.files.length > ATTACHMENT_MAX_FILES) throw tooMany();
  // The uploads' own sizes first: a 50 MB file is refused before it is decoded.
  const uploaded = input.files.reduce((sum, file) => sum + file.bytes.byteLength, 0);
  if (sizeOf(kept) + uploaded > maxBytes) throw tooLarge(maxBytes);
  const prepared: StoredForm[] = [];
  for (const file of input.files) prepared.push(await storedFormOf(file));
  if (sizeOf(kept) + prepared.reduce((sum, row) => sum + row.content.length, 0) > maxBytes) {
    throw tooLarge(maxBytes);
  }
  if (prepared.length === 0) return kept;
  const { scope } = staff;
  const ids = await ctx.db.transaction(async (tx) => {
    const stored = await insertAttachments(
      tx,
      prepared.map((row) => ({
        ...row,
        districtId: scope.districtId,
        schoolId: scopeSchool(scope),
        uploaderId: staff.id,
      })),
    );
    await recordAuditEvent(tx, {
      districtId: scope.districtId,
      schoolId: scopeSchool(scope),
      actorType: 'staff',
      actorId: staff.id,
      action: 'attachment.upload',
      subjectType: 'attachment',
      subjectId: stored.join(','),
      detail: {
        files: prepared.map((row, i) => ({
          id: stored[i],
          name: row.fileName,
          contentType: row.contentType,
          bytes: row.content.length,
          sha256: row.sha256,
        })),
        channel,
        apiTokenId: staff.apiTokenId,
      },
    });
    return stored;
  });
  const added = prepared.map((row, i) => ({
    id: ids[i]!,
    fileName: row.fileName,
    contentType: row.contentType,
    byteSize: row.content.length,
  }));
  return [...kept, ...added];
}

/** The staff member's own unsent uploads among `ids`, for a form to list again. */
export async function heldAttachments(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'id'>,
  ids: number[],
): Promise<UnsentAttachment[]> {
  return findUnsentAttachments(ctx.db, staff.id, ids, { lock: false });
}

/**
 * The `attachmentIds` of a send's input: absent is none; else up to ATTACHMENT_MAX_FILES row
 * ids, returned sorted without repeats (so the request hash is one for one set).
 * @throws ServiceError
 */
export function checkAttachmentIds(raw: unknown): number[] {
  const value =
    raw && typeof raw === 'object' ? (raw as Record<string, unknown>).attachmentIds : undefined;
  if (value === undefined) return [];
  const valid =
    Array.isArray(value) &&
    value.every((id) => Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647);
  if (!valid) {
    throw new ServiceError(
      'invalid',
      'attachments.error.ids',
      {},
      {
        code: 'invalid_input',
        field: 'attachments',
        issues: [{ path: 'attachments', message: 'attachments must be a list of attachment ids' }],
      },
    );
  }
  const ids = [...new Set(value as number[])].sort((a, b) => a - b);
  if (ids.length > ATTACHMENT_MAX_FILES) throw tooMany();
  return ids;
}

/**
 * In the send's transaction: binds the sender's own unsent attachments to the new message.
 * Another staff member's, an already sent or a missing id refuses the whole send.
 * @throws ServiceError
 */
export async function attachToMessage(
  tx: Tx,
  uploaderId: number,
  messageId: number,
  ids: number[],
  maxBytes: number,
): Promise<void> {
  if (ids.length === 0) return;
  const rows = await findUnsentAttachments(tx, uploaderId, ids, { lock: true });
  if (rows.length !== ids.length) throw unknown();
  if (sizeOf(rows) > maxBytes) throw tooLarge(maxBytes);
  await bindAttachments(tx, messageId, ids);
}

/** A sent attachment with its link's token, as the families' pages and mails list it. */
export interface LinkedAttachment extends ListedAttachment {
  token: string;
}

/** Attachments as the families' pages list them: each with its link's token. */
export function withLinks(keys: Keys, attachments: ListedAttachment[]): LinkedAttachment[] {
  return attachments.map((row) => ({ ...row, token: attachmentToken(keys, row.id) }));
}

const notFound = () => new ServiceError('not_found', 'attachments.error.notFound');

/**
 * The file (or its preview) a link's token names: not_found for a forged or altered token and
 * for an attachment that is unsent or gone with its message (retention). `download` counts
 * one download of the file (never of a preview).
 * @throws ServiceError
 */
export async function openAttachment(
  ctx: Pick<CoreContext, 'db' | 'keys'>,
  token: string,
  part: 'content' | 'preview',
  download: boolean,
): Promise<AttachmentFile> {
  const id = attachmentOfToken(ctx.keys, token);
  const file = id === null ? null : await findSentAttachmentFile(ctx.db, id, part);
  if (!file) throw notFound();
  if (download && part === 'content') await countAttachmentDownload(ctx.db, file.id);
  return file;
}

/**
 * A sent attachment of a message the staff member may see, opened from its page; as unknown
 * as a missing one when the message is outside the scope. Staff opening it is no download.
 * @throws ServiceError
 */
export async function openStaffAttachment(
  ctx: Pick<CoreContext, 'db'>,
  staff: Pick<ActingStaff, 'scope'>,
  messageId: number,
  attachmentId: number,
): Promise<AttachmentFile> {
  const message = await findMessageInScope(ctx.db, messageId, scopeFilter(staff.scope));
  if (!message) throw notFound();
  const file = await findSentAttachmentFile(ctx.db, attachmentId, 'content');
  if (!file || file.messageId !== messageId) throw notFound();
  return file;
}

/** The attachments of a message in scope, for its dashboard (with their download counts). */
export async function messageAttachments(
  db: Db | Tx,
  messageId: number,
): Promise<ListedAttachment[]> {
  return listMessageAttachments(db, [messageId]);
}
