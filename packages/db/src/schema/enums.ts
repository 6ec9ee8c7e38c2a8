import { pgEnum } from 'drizzle-orm/pg-core';
import {
  ADDRESS_HEALTHS,
  ADDRESS_ROLES,
  CALL_MARKS,
  CONFIRM_CHANNELS,
  DELIVERY_CHANNELS,
  DELIVERY_STATES,
  MESSAGE_CATEGORIES,
  MESSAGE_STATES,
  SCHOOL_KINDS,
  STAFF_ROLES,
  STUDENT_STATUSES,
  TEMPLATE_LANGUAGES,
  TOKEN_PURPOSES,
} from '@renraku/shared';

// PostgreSQL enums built from the shared vocabulary, so the database refuses unknown values.
export const schoolKind = pgEnum('school_kind', SCHOOL_KINDS);
export const studentStatus = pgEnum('student_status', STUDENT_STATUSES);
export const staffRole = pgEnum('staff_role', STAFF_ROLES);
export const addressRole = pgEnum('address_role', ADDRESS_ROLES);
export const addressHealth = pgEnum('address_health', ADDRESS_HEALTHS);
export const messageCategory = pgEnum('message_category', MESSAGE_CATEGORIES);
export const messageState = pgEnum('message_state', MESSAGE_STATES);
export const deliveryState = pgEnum('delivery_state', DELIVERY_STATES);
export const deliveryChannel = pgEnum('delivery_channel', DELIVERY_CHANNELS);
export const callMark = pgEnum('call_mark', CALL_MARKS);
export const tokenPurpose = pgEnum('token_purpose', TOKEN_PURPOSES);
export const sessionKind = pgEnum('session_kind', ['staff', 'parent']);
export const confirmChannel = pgEnum('confirm_channel', CONFIRM_CHANNELS);
export const templateLanguage = pgEnum('template_language', TEMPLATE_LANGUAGES);
