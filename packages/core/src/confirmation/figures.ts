import type { ConfirmationCell } from '@renraku/db';
import {
  inPart,
  type AnswerCounts,
  type ConfirmationFigures,
  type MessagePart,
} from '@renraku/shared';

// 安否確認 figures from confirmationBreakdown's cells, for the dashboard, the socket and the
// API alike. Client-safe; no I/O.

export type { AnswerCounts, ConfirmationFigures } from '@renraku/shared';

function addCell(target: AnswerCounts, cell: ConfirmationCell): void {
  if (cell.answer === null) target.unconfirmed += cell.n;
  else target.answers[cell.answer] = (target.answers[cell.answer] ?? 0) + cell.n;
}

const noAnswers = (): AnswerCounts => ({ unconfirmed: 0, answers: {} });

/**
 * The answers of a part of the message (a scope's; {} for all). A household counts once per
 * school and once per class of its targeted children, so the whole is the sum of the school
 * cells (classId null) and a class part is its own class's cells, never a sum of classes.
 */
export function confirmationFiguresOf(
  cells: readonly ConfirmationCell[],
  part: MessagePart,
): ConfirmationFigures {
  const figures: ConfirmationFigures = { total: noAnswers(), bySchool: {}, byClass: {} };
  for (const cell of cells) {
    if (!inPart(part, cell)) continue;
    if (cell.classId === null) addCell((figures.bySchool[cell.schoolId] ??= noAnswers()), cell);
    else addCell((figures.byClass[cell.classId] ??= noAnswers()), cell);
    if ((cell.classId === null) === (part.classId === undefined)) addCell(figures.total, cell);
  }
  return figures;
}

/** Households that answered, whatever the answer. */
export function confirmedOf(counts: AnswerCounts): number {
  return Object.values(counts.answers).reduce((sum, n) => sum + n, 0);
}
