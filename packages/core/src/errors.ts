/**
 * Errors a service refuses a request with. Each edge maps `kind` once: the API to an HTTP status
 * and a problem+json body, the CLI to an exit code (2 for `invalid`, 1 otherwise).
 */
export type AppErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unprocessable' | 'forbidden';

/** One problem with one field, as a JSON pointer into the input. */
export type FieldError = { pointer: string; detail: string; in?: 'body' | 'params' | 'querystring' | 'headers' };

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly kind: AppErrorKind,
    /** A stable slug, e.g. `assignment-not-found`; the API's problem `type` ends with it. */
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
