import { CustomErrorBase } from '@backstage/errors';

/**
 * 422: the draft's source (or a dataset it joins) cannot be read — an unreachable host, refused
 * credentials, a missing file, table or connection. The message names the dataset; Backstage's
 * error handler answers with this status (it reads `statusCode`), never with a stack trace.
 */
export class SourceUnreadableError extends CustomErrorBase {
  name = 'SourceUnreadableError' as const;
  readonly statusCode = 422;
}

/** 504: the sample run took longer than `ingestion.preview.timeoutSeconds` and was stopped. */
export class PreviewTimeoutError extends CustomErrorBase {
  name = 'PreviewTimeoutError' as const;
  readonly statusCode = 504;
}
