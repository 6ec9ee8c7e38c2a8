// Sending: the compose page, the board's schedules and POST /api/v1/messages share these.
export {
  checkTarget,
  previewSend,
  SCHEDULE_MAX_DAYS,
  sendMessage,
  type CheckedMessage,
  type ComposeField,
  type FieldProblem,
  type PreviewResult,
  type SendRefusal,
  type SendResult,
} from './send';
export { composeValuesFrom, messageInputOf, type ComposeValues } from './form';
export { createSchedule, deactivateSchedule, type ScheduleInput } from './schedules';
export {
  MAX_API_BODY_BYTES,
  messageProgress,
  readSendRequest,
  type ApiProgress,
  type BodyRefusal,
} from './api';
export {
  cancelScheduledSend,
  scheduleView,
  type CancelRefusal,
  type CancelResult,
  type ScheduleView,
} from './cancel';
export {
  listApiMessages,
  readMessagePageQuery,
  type ApiListedMessage,
  type ApiMessagePage,
} from './list';
