// The audit trail's vocabulary: every action a service records, so that the trail's filter and
// its labels know them all and a recorder cannot invent one (audit_events.action is typed).

export const AUDIT_ACTIONS = [
  'message.send',
  'message.cancel',
  'message.resend_unconfirmed',
  'attachment.upload',
  'schedule.create',
  'schedule.deactivate',
  'callList.view',
  'callList.export',
  'callList.mark',
  'auth_code.rotate',
  'auth_code.rotate_class',
  'auth_code.clear_class',
  'roster.import',
  'roster.rollover',
  'roster.transfer_out',
  'registration.match',
  'registration.move',
  'staff.create',
  'staff.password_reset',
  'staff.disable',
  'staff.enable',
  'staff.login',
  'staff.login_failed',
  'staff.logout',
  'api_token.create',
  'api_token.revoke',
  'audit.export',
  'parent.register',
  'parent.login',
  'parent.password_change',
  'parent.password_reset',
  'parent.correct_child',
  'parent.address_add',
  'parent.address_replace',
  'parent.address_remove',
  'parent.push_subscribe',
  'parent.push_remove',
  'parent.channels_change',
  'parent.withdraw',
  'template.create',
  'template.update',
  'template.delete',
  'template.seed',
  'parent.language_change',
  'seed.demo',
  'retention.run',
  'secret.rotate',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}
