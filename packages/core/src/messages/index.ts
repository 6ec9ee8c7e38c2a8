// Sending: the compose page, the board's schedules and POST /api/v1/messages share these.
export {
  checkTarget,
  previewSend,
  SCHEDULE_MAX_DAYS,
  sendMessage,
  type CheckedMessage,
  type ComposeField,
  type FieldProblemKey,
  type PreviewResult,
  type SendRefusalCode,
  type SendResult,
} from './send';
export { createSchedule, deactivateSchedule, type ScheduleInput } from './schedules';
export { cancelScheduledSend, scheduleView, type ScheduleView } from './cancel';
export {
  listApiMessages,
  readMessagePageQuery,
  type ApiListedMessage,
  type ApiMessagePage,
} from './list';
