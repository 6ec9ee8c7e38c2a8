// 安否確認: families' answers by link and by reply, the figures staff watch, and chasing.
export { createConfirmationRecorder, type ConfirmationRecorder } from './recorder';
export { confirmationPageOf, confirmByLink, type LinkAnswer } from './link';
