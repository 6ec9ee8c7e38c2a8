import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { rowsOf, type Db, type Tx } from '../client';
import { attachments } from '../schema';

// Attachments (添付): stored at upload, unsent and owned by their uploader; bound to a message
// in the send's transaction; read by the links, the pages and the dispatcher's mails.

export interface NewAttachment {
  districtId: number;
  schoolId: number | null;
  uploaderId: number;
  fileName: string;
  contentType: string;
  sha256: string;
  content: Buffer;
  preview: { content: Buffer; width: number; height: number } | null;
}

/** Stores uploads (all or none, one statement); returns their ids in the given order. */
export async function insertAttachments(db: Db | Tx, rows: NewAttachment[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db
    .insert(attachments)
    .values(
      rows.map(({ preview, ...row }) => ({
        ...row,
        byteSize: row.content.length,
        preview: preview?.content ?? null,
        previewWidth: preview?.width ?? null,
        previewHeight: preview?.height ?? null,
      })),
    )
    .returning({ id: attachments.id });
  return inserted.map((row) => row.id);
}

/** An upload not yet sent, as the compose page shows it and the send checks it. */
export interface UnsentAttachment {
  id: number;
  fileName: string;
  contentType: string;
  byteSize: number;
}

/**
 * The uploader's unsent attachments among `ids`; with `lock`, locked until the transaction
 * ends, so two sends cannot both take one. Ids of another staff member or already sent are
 * simply absent.
 */
export async function findUnsentAttachments(
  db: Db | Tx,
  uploaderId: number,
  ids: number[],
  options: { lock: boolean },
): Promise<UnsentAttachment[]> {
  if (ids.length === 0) return [];
  const query = db
    .select({
      id: attachments.id,
      fileName: attachments.fileName,
      contentType: attachments.contentType,
      byteSize: attachments.byteSize,
    })
    .from(attachments)
    .where(
      and(
        inArray(attachments.id, ids),
        eq(attachments.uploaderId, uploaderId),
        isNull(attachments.messageId),
      ),
    )
    .orderBy(asc(attachments.id));
  return options.lock ? query.for('update') : query;
}

/** Binds locked unsent attachments to the message being sent. */
export async function bindAttachments(tx: Tx, messageId: number, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(attachments)
    .set({ messageId })
    .where(and(inArray(attachments.id, ids), isNull(attachments.messageId)));
}

/** One attachment as a mail, a page or the dashboard lists it. */
export interface ListedAttachment {
  id: number;
  /** The message it was listed for (a re-send lists its original's). */
  messageId: number;
  fileName: string;
  contentType: string;
  byteSize: number;
  downloads: number;
  /** Set for an image: the preview's size, for <img width height>. */
  preview: { width: number; height: number } | null;
}

/**
 * The attachments of the message `m` as one JSON column, `attachments` (ListedAttachment[], in
 * upload order), so a page that reads a message reads them in the same statement. A re-send
 * (【再送】) lists those of the message it chases, so its families get the same links.
 */
export const messageAttachmentsColumn = sql`coalesce((
    select json_agg(json_build_object(
      'id', a.id, 'messageId', m.id, 'fileName', a.file_name, 'contentType', a.content_type,
      'byteSize', a.byte_size, 'downloads', a.downloads,
      'preview', case when a.preview_width is not null then
        json_build_object('width', a.preview_width, 'height', a.preview_height) end
    ) order by a.id)
    from attachments a where a.message_id = coalesce(m.resend_of, m.id)
  ), '[]'::json) as attachments`;

/** The attachments of messages, by message id and then in upload order. */
export async function listMessageAttachments(
  db: Db | Tx,
  messageIds: number[],
): Promise<ListedAttachment[]> {
  if (messageIds.length === 0) return [];
  const rows = rowsOf<{ attachments: ListedAttachment[] }>(
    await db.execute(sql`select ${messageAttachmentsColumn} from messages m
      where m.id in ${messageIds} order by m.id`),
  );
  return rows.flatMap((row) => row.attachments);
}

/** A sent attachment's file (or its preview), with the message it belongs to. */
export interface AttachmentFile {
  id: number;
  messageId: number;
  fileName: string;
  contentType: string;
  content: Buffer;
}

/**
 * A sent attachment's content, or its preview's (`preview`: a JPEG); null for an unsent upload,
 * an attachment that is gone, or a preview a PDF does not have.
 */
export async function findSentAttachmentFile(
  db: Db | Tx,
  id: number,
  part: 'content' | 'preview',
): Promise<AttachmentFile | null> {
  const [row] = await db
    .select({
      id: attachments.id,
      messageId: attachments.messageId,
      fileName: attachments.fileName,
      contentType: attachments.contentType,
      content: part === 'content' ? attachments.content : attachments.preview,
    })
    .from(attachments)
    .where(eq(attachments.id, id));
  if (!row || row.messageId === null || row.content === null) return null;
  return {
    ...row,
    messageId: row.messageId,
    contentType: part === 'content' ? row.contentType : 'image/jpeg',
    content: row.content,
  };
}

/** One more download of the file (never of its preview). */
export async function countAttachmentDownload(db: Db | Tx, id: number): Promise<void> {
  await db
    .update(attachments)
    .set({ downloads: sql`${attachments.downloads} + 1` })
    .where(eq(attachments.id, id));
}

/** Retention: uploads never sent, older than `cutoff`; returns how many went. */
export async function deleteUnsentAttachments(db: Db | Tx, cutoff: Date): Promise<number> {
  const deleted = await db
    .delete(attachments)
    .where(and(isNull(attachments.messageId), lt(attachments.createdAt, cutoff)))
    .returning({ id: attachments.id });
  return deleted.length;
}
