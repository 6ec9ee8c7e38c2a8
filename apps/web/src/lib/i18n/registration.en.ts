import type { registrationJa } from './registration.ja';

// English for registration.ja.ts, key for key.
export const registrationEn: Record<keyof typeof registrationJa, string> = {
  'parent.details.suggestions': 'These IDs are free:',
  'parent.details.limited':
    'Too many entries were checked, so registering is paused for a while. Please wait about {minutes} minutes and try again.',
  'parent.details.unmatchedTitle': 'No child with these details on the school roster',
  'parent.details.unmatchedBody':
    'The roster of the chosen grade and class has no child with this name (kana). Please check the grade, class, name and kana.',
  'parent.details.confirmUnmatched':
    "Register as entered (the school will check it against the roster; until then you get the chosen class's mail)",
  'parent.account.unmatched':
    "This does not match the school's roster. If the grade, class or name is wrong, please correct it.",
  'parent.account.matched': "This matches the school's roster.",
  'parent.account.correct': 'Correct grade, class or name',
  'parent.correct.title': 'Correct grade, class and name',
  'parent.correct.lead':
    "After you correct your child's grade, class or name, it is matched against the school's roster again.",
  'parent.correct.matchedLead':
    "This matches the school's roster; the grade and class are the roster's. If they are wrong, please contact the school.",
  'parent.correct.submit': 'Correct',
  'parent.correct.doneMatched': "Corrected. It now matches the school's roster.",
  'parent.correct.doneUnmatched':
    "Corrected. It does not match the school's roster yet; the school will check it. Until then you get the chosen class's mail.",
  'admin.unmatched.title': 'Registrations not matched to the roster',
  'admin.unmatched.lead':
    "Children registered by parents that no roster student matches. They get the chosen class's mail, but the roster family shows as unregistered on call lists. Link each to its roster student or move it to the right class.",
  'admin.unmatched.empty': 'Every registration matches the roster.',
  'admin.unmatched.chooseSchool': 'Choose a school',
  'admin.unmatched.school': 'School',
  'admin.unmatched.show': 'Show',
  'admin.unmatched.col.child': 'Child (as registered)',
  'admin.unmatched.col.class': 'Chosen class',
  'admin.unmatched.col.registered': 'Registered',
  'admin.unmatched.col.candidates': 'Roster candidates',
  'admin.unmatched.col.move': 'Move to class',
  'admin.unmatched.noCandidates': 'No candidates',
  'admin.unmatched.why.both': 'name and kana match',
  'admin.unmatched.why.kana': 'kana matches',
  'admin.unmatched.why.name': 'name matches',
  'admin.unmatched.why.similar': 'similar kana',
  'admin.unmatched.match': 'Link to this student',
  'admin.unmatched.moveSubmit': 'Move',
  'admin.unmatched.matched': 'Linked to the roster student.',
  'admin.unmatched.moved': 'Moved to the class.',
  'admin.unmatched.movedMatched': 'Moved; it now matches a roster student.',
  'admin.unmatched.classValue': 'Grade {grade}, {className}',
  'admin.unmatched.link': 'List and fix',
} as const;
