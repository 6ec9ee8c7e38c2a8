// The send, schedule, cancel and list services live in @renraku/core; the form and the API's
// body reading stay here because they are the web's HTTP glue.
export * from '@renraku/core/messages';
export { composeValuesFrom, messageInputOf, type ComposeValues } from './form';
export {
  MAX_API_BODY_BYTES,
  messageProgress,
  readSendRequest,
  type ApiProgress,
  type BodyRefusal,
} from './api';
export { refuseNonEmptyBody } from './empty-body';
