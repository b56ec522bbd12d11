import { ResponseError } from '@backstage/errors';

/** The server's own message of a failed call (`monthly: must be …`), else the error's. */
export function errorMessage(error: unknown): string {
  if (error instanceof ResponseError) return error.body.error.message;
  return (error as Error)?.message ?? String(error);
}
