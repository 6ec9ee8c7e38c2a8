// What a message may carry as attachments (添付), for the service, the pages and the mails.

export const ATTACHMENT_KINDS = ['pdf', 'jpeg', 'png'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export const ATTACHMENT_CONTENT_TYPES = {
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
} as const satisfies Record<AttachmentKind, string>;

/** Files per message. */
export const ATTACHMENT_MAX_FILES = 5;
/** Bytes per message, all files together, unless ATTACHMENT_MAX_BYTES says otherwise. */
export const ATTACHMENT_MAX_BYTES_DEFAULT = 10 * 1024 * 1024;

/** 「PDF」「JPEG」「PNG」, as a mail's attachment line names the type. */
export function attachmentTypeLabel(contentType: string): string {
  const kind = ATTACHMENT_KINDS.find((k) => ATTACHMENT_CONTENT_TYPES[k] === contentType);
  return (kind ?? contentType).toUpperCase();
}

/** 「1.2 MB」「350 KB」: what a parent on a metered phone wants to know before opening. */
export function formatByteSize(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${mb.toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
