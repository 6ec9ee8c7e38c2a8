import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { attachments, messages } from '../schema';

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
 * The attachments of messages, in upload order. A re-send (【再送】) lists those of the message
 * it chases, so its families get the same links.
 */
export async function listMessageAttachments(
  db: Db | Tx,
  messageIds: number[],
): Promise<ListedAttachment[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .select({
      id: attachments.id,
      messageId: messages.id,
      fileName: attachments.fileName,
      contentType: attachments.contentType,
      byteSize: attachments.byteSize,
      downloads: attachments.downloads,
      previewWidth: attachments.previewWidth,
      previewHeight: attachments.previewHeight,
    })
    .from(messages)
    .innerJoin(
      attachments,
      eq(attachments.messageId, sql`coalesce(${messages.resendOf}, ${messages.id})`),
    )
    .where(inArray(messages.id, messageIds))
    .orderBy(asc(attachments.id));
  return rows.map(({ previewWidth, previewHeight, ...row }) => ({
    ...row,
    preview:
      previewWidth !== null && previewHeight !== null
        ? { width: previewWidth, height: previewHeight }
        : null,
  }));
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
