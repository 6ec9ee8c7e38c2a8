// 安否確認: families' answers by link and by reply, the figures staff watch, and chasing.
export { createConfirmationRecorder, type ConfirmationRecorder } from './recorder';
export {
  confirmationPageOf,
  confirmByLink,
  createTappedPages,
  type LinkAnswer,
  type TappedPages,
} from './link';
export { chaseDueMessages, mayResend, resendUnconfirmed } from './resend';
export { confirmByReply, ownTextOf, replyChoiceOf, replyWordsOf } from './reply';
export {
  confirmationFiguresOf,
  confirmedOf,
  type AnswerCounts,
  type ConfirmationFigures,
} from './figures';
export {
  confirmationFiguresIn,
  loadAnswers,
  withoutAddresses,
  type AnswerList,
  type AnswerRow,
} from './answers';
