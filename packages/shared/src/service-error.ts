// One refusal shape for every service, whatever door (page, API, CLI) calls it: the service
// says what kind of refusal and which message, and the door words it in the reader's language.

export type ServiceErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict' | 'unprocessable';

export type ServiceErrorParams = Record<string, string | number>;

/** One form field's refusal: a message key and its placeholders. */
export interface FieldRefusal {
  key: string;
  params?: ServiceErrorParams;
}

/** What a refusal may say beyond its kind and message. */
export interface ServiceErrorDetail {
  /** The form field the refusal is about, when it is about one. */
  field?: string;
  /** Each refused field of an input refused as a whole (a schema's issues), one message each. */
  fields?: Record<string, FieldRefusal>;
  /** An API's machine word for the refusal, where it says more than the kind. */
  code?: string;
  /** Which input path failed and why, in the schema's (English) words, for integrations. */
  issues?: { path: string; message: string }[];
}

/** Thrown by a service for input, scope and state problems; nothing was changed. */
export class ServiceError extends Error {
  readonly field?: string;
  readonly code: string;
  readonly issues?: { path: string; message: string }[];
  readonly #fields?: Record<string, FieldRefusal>;

  constructor(
    readonly kind: ServiceErrorKind,
    /** A message key of the web's dictionaries. */
    readonly key: string,
    /** Values for the message's `{placeholders}`. */
    readonly params: ServiceErrorParams = {},
    detail: ServiceErrorDetail = {},
  ) {
    // The key (not prose) is the message: logs and tests see what was refused, in no language.
    super(Object.keys(params).length > 0 ? `${key} ${JSON.stringify(params)}` : key);
    this.name = 'ServiceError';
    this.field = detail.field;
    this.code = detail.code ?? kind;
    this.issues = detail.issues;
    this.#fields = detail.fields;
  }

  /** The HTTP status a door answers with. */
  get status(): number {
    return SERVICE_ERROR_STATUS[this.kind];
  }

  /** Every refused field with its message: the several of a schema, or the one field. */
  get fields(): Record<string, FieldRefusal> {
    if (this.#fields) return this.#fields;
    return this.field === undefined ? {} : { [this.field]: { key: this.key, params: this.params } };
  }
}

/** The one place a refusal's kind becomes an HTTP status. */
export const SERVICE_ERROR_STATUS: Record<ServiceErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  // Well-formed but contradicting what was stored, as a reused idempotency key is.
  unprocessable: 422,
};
