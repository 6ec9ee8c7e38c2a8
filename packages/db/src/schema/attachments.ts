import { sql } from 'drizzle-orm';
import { index, integer, pgTable, smallint, text } from 'drizzle-orm/pg-core';
import { bytea, createdAt } from './columns';
import { districts } from './districts';
import { messages } from './messages';
import { schools } from './schools';
import { staffUsers } from './staff-users';

/**
 * A file a message links to (添付). Kept in PostgreSQL so that every web process serves it;
 * uploaded before the send (message_id null, owned by its uploader), bound to the message in
 * the send's transaction, and gone with the message when retention deletes it.
 */
export const attachments = pgTable(
  'attachments',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    districtId: integer('district_id')
      .notNull()
      .references(() => districts.id, { onDelete: 'cascade' }),
    /** The uploader's school; null for the board. */
    schoolId: integer('school_id').references(() => schools.id, { onDelete: 'cascade' }),
    uploaderId: integer('uploader_id').references(() => staffUsers.id, { onDelete: 'set null' }),
    messageId: integer('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    /** As uploaded, cleaned of any path and control characters, with its type's extension. */
    fileName: text('file_name').notNull(),
    /** application/pdf, image/jpeg or image/png: what the content is, never what a client said. */
    contentType: text('content_type').notNull(),
    byteSize: integer('byte_size').notNull(),
    /** Hex SHA-256 of the stored content. */
    sha256: text('sha256').notNull(),
    /** Images as re-encoded (no metadata), PDFs as uploaded. */
    content: bytea('content').notNull(),
    /** A small JPEG of an image (≈ 320 px); null for a PDF. */
    preview: bytea('preview'),
    previewWidth: smallint('preview_width'),
    previewHeight: smallint('preview_height'),
    downloads: integer('downloads').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index('attachments_message_idx').on(t.messageId),
    // Retention's sweep of uploads that were never sent.
    index('attachments_unsent_idx')
      .on(t.createdAt)
      .where(sql`${t.messageId} is null`),
  ],
);
