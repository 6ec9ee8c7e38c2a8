import type { ConfirmationCell } from '@renraku/db';
import type { MessagePart } from '@renraku/shared';

// The confirmation figures of a part of a message (a scope's: a teacher only its class), for
// the progress API and the dashboard alike. Client-safe; no I/O.

/** Households of a place: reached and unanswered (未確認), and by answer (choice index → n). */
export interface AnswerCounts {
  unconfirmed: number;
  answers: Record<string, number>;
}

export interface ConfirmationFigures {
  total: AnswerCounts;
  bySchool: Record<number, AnswerCounts>;
  byClass: Record<number, AnswerCounts>;
}

const empty = (): AnswerCounts => ({ unconfirmed: 0, answers: {} });

function add(target: AnswerCounts, cell: ConfirmationCell): void {
  if (cell.answer === null) target.unconfirmed += cell.n;
  else target.answers[cell.answer] = (target.answers[cell.answer] ?? 0) + cell.n;
}

/**
 * The figures of a part. A household counts once in its school and once in each class of its
 * targeted children, so the total is the sum of the school cells (a school part: its own
 * cell, a class part: the class's cell), never a sum of classes, where siblings would count
 * twice.
 */
export function confirmationFiguresOf(
  cells: readonly ConfirmationCell[],
  part: MessagePart,
): ConfirmationFigures {
  const figures: ConfirmationFigures = { total: empty(), bySchool: {}, byClass: {} };
  for (const cell of cells) {
    if (part.schoolId !== undefined && cell.schoolId !== part.schoolId) continue;
    if (cell.classId === null) {
      if (part.classId !== undefined) continue;
      add((figures.bySchool[cell.schoolId] ??= empty()), cell);
      add(figures.total, cell);
    } else {
      if (part.classId !== undefined && cell.classId !== part.classId) continue;
      add((figures.byClass[cell.classId] ??= empty()), cell);
      if (part.classId !== undefined) add(figures.total, cell);
    }
  }
  return figures;
}

/** Households that confirmed, whatever they answered. */
export function confirmedOf(counts: AnswerCounts): number {
  return Object.values(counts.answers).reduce((sum, n) => sum + n, 0);
}
