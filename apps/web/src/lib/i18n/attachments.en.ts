import type { attachmentsJa } from './attachments.ja';

// 添付 (English).

export const attachmentsEn: Record<keyof typeof attachmentsJa, string> = {
  'attachments.legend': 'Attachments (optional)',
  'attachments.hint':
    'PDF, JPEG or PNG, up to {max} files and {size} in all. Mails carry a link to open each file, not the file. Location data and other metadata are removed from photos.',
  'attachments.kept': 'Attached (untick to remove)',
  'attachments.choose': 'Choose files',
  'attachments.heading': 'Attachments',
  'attachments.none': 'None',
  'attachments.downloads': 'Opened {count} times',
  'attachments.open': 'Open',
  'attachments.error.type': '“{name}” cannot be attached. Choose a PDF, JPEG or PNG file.',
  'attachments.error.polyglot':
    '“{name}” also holds data of another format and cannot be attached. Save it again from the original.',
  'attachments.error.empty': '“{name}” is an empty file (0 bytes).',
  'attachments.error.tooLarge': 'Attachments may be {max} in all.',
  'attachments.error.tooMany': 'At most {max} attachments.',
  'attachments.error.unknown':
    'An attachment was not found (it was already sent or someone else uploaded it). Choose the file again.',
  'attachments.error.ids': 'The attachments are not given correctly.',
  'attachments.error.notFound': 'This file was not found. The link is old or not correct.',
};
