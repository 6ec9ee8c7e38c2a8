// The inbound SMTP server for empty registration mails; the dispatcher's main starts it.
export {
  INBOUND_DEFAULTS,
  startInboundServer,
  type InboundOptions,
  type InboundServer,
  type InboundSettings,
  type RateLimitRule,
} from './server';
