import type { confirmJa } from './confirm.ja';

// English for every key of confirm.ja.ts; the type makes a missing key a compile error.
export const confirmEn: Record<keyof typeof confirmJa, string> = {
  'confirm.title': 'Please confirm',
  'confirm.lead': 'When you have read this message, please press the one button that fits.',
  'confirm.from': 'From',
  'confirm.sentAt': 'Sent',
  'confirm.children': 'Concerning',
  'confirm.deadline': 'Please answer by {time}.',
  'confirm.choose': 'Your answer',
  'confirm.current':
    'You answered “{answer}” ({time}). Press another button to change your answer.',
  'confirm.answered': 'Your answer has been sent',
  'confirm.answer': 'Answer: {answer}',
  'confirm.changed': 'Your answer was changed from “{previous}” to “{answer}”.',
  'confirm.late': 'The time to answer had passed, but the school has received your answer.',
  'confirm.again': 'To change your answer, press another button.',
  'confirm.invalidTitle': 'This link cannot be used',
  'confirm.invalidBody':
    'The link is not right, or answers are no longer taken. Please open the link in the mail again, or contact the school.',
  'confirm.busyTitle': 'Please wait a moment',
  'confirm.busyBody':
    'Many answers are arriving at once. Please wait a little and press the button again.',
  'confirm.error.notFound': 'This link cannot be used.',
  'confirm.error.choice': 'That answer cannot be chosen. Please choose again with a button below.',
  'confirm.choice.ack': 'I have read it',
  'confirm.choice.safe': 'We are safe',
  'confirm.choice.injured': 'Someone is injured',
  'confirm.choice.canPickUp': 'I can pick up my child',
  'confirm.choice.cannotPickUp': 'I cannot pick up my child',
} as const;
