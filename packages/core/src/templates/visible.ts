import { findTemplate, type Db, type MessageTemplate, type Tx } from '@renraku/db';
import type { StaffScope } from '@renraku/shared';

/** A template the scope sees, or null (another school's is as absent as none). */
export async function visibleTemplate(
  db: Db | Tx,
  scope: StaffScope,
  templateId: number,
): Promise<MessageTemplate | null> {
  if (!Number.isSafeInteger(templateId) || templateId <= 0 || templateId > 2_147_483_647) {
    return null;
  }
  const template = await findTemplate(db, scope.districtId, templateId);
  if (!template) return null;
  const visible =
    scope.role === 'board' || template.schoolId === null || template.schoolId === scope.schoolId;
  return visible ? template : null;
}
