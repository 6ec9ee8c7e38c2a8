// One error type for school administration, so that a route maps it to a status and shows
// the Japanese message as it is: the messages are written for the school's office.

export type RosterErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

const STATUS: Record<RosterErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

/** Thrown by every roster service for input, scope and state problems; nothing was changed. */
export class RosterError extends Error {
  constructor(
    readonly kind: RosterErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RosterError';
  }

  /** The HTTP status a route answers with. */
  get status(): number {
    return STATUS[this.kind];
  }
}
