// Attachments (添付): upload, the send's binding, the links and the staff's view.
export {
  attachToMessage,
  checkAttachmentIds,
  heldAttachments,
  messageAttachments,
  openAttachment,
  openStaffAttachment,
  stageAttachments,
  type AttachmentProblemKey,
  type LinkedAttachment,
  type UploadedFile,
  withLinks,
} from './service';
export { cleanFileName } from './file-name';
export { isPolyglot, recogniseKind } from './content';
