// One refusal shape for every service, whatever door (page, API, CLI) calls it: the service
// says what kind of refusal and which message, and the door words it in the reader's language.

export type ServiceErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

export type ServiceErrorParams = Record<string, string | number>;

/** Thrown by a service for input, scope and state problems; nothing was changed. */
export class ServiceError extends Error {
  constructor(
    readonly kind: ServiceErrorKind,
    /** A message key of the web's dictionaries. */
    readonly key: string,
    /** Values for the message's `{placeholders}`. */
    readonly params: ServiceErrorParams = {},
    /** The form field the refusal is about, when it is about one. */
    readonly field?: string,
  ) {
    // The key (not prose) is the message: logs and tests see what was refused, in no language.
    super(Object.keys(params).length > 0 ? `${key} ${JSON.stringify(params)}` : key);
    this.name = 'ServiceError';
  }

  /** The HTTP status a door answers with. */
  get status(): number {
    return SERVICE_ERROR_STATUS[this.kind];
  }
}

/** The one place a refusal's kind becomes an HTTP status. */
export const SERVICE_ERROR_STATUS: Record<ServiceErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};
