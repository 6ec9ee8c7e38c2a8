import type { cancelJa } from './cancel.ja';

// Cancelling a scheduled send on the message page (English).
export const cancelEn: Record<keyof typeof cancelJa, string> = {
  'cancel.heading': 'Scheduled send',
  'cancel.waiting': 'Will be sent at {time}. It can be cancelled until then.',
  'cancel.scheduledFor': 'Scheduled for {time}',
  'cancel.confirm': 'Cancel it (this mail will not be sent)',
  'cancel.submit': 'Cancel the scheduled send',
  'cancel.done': 'Cancelled. This mail will not be sent.',
  'cancel.error.confirm': 'To cancel, tick “Cancel it”.',
  'cancel.error.notFound': 'No such message.',
  'cancel.error.outsideScope':
    'Only staff of the sending school (the board, for the board’s messages) can cancel this message.',
  'cancel.error.started': 'Cannot cancel: sending has started.',
  'cancel.error.alreadyCancelled': 'This message was already cancelled.',
};
