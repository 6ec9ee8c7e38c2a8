import type { SheetTarget } from '../roster';
import { idFrom } from './http';

/**
 * Which registration sheets a print page or PDF link asks for: `?class=ID` one class,
 * `?classes=all` one per class of the current year, nothing the school's own sheet.
 */
export function sheetTargetFrom(params: URLSearchParams): SheetTarget {
  const classId = params.get('class');
  if (classId !== null) {
    // A malformed id is "no such class" (404 from the service), never the school's sheet.
    return { kind: 'class', classId: idFrom(classId) ?? 0 };
  }
  return params.get('classes') === 'all' ? { kind: 'classes' } : { kind: 'school' };
}
