import type {
  HttpAuthService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { createPreviewRouter } from './router';
import {
  PreviewService,
  readMaxConcurrentPreviews,
  readPreviewTimeoutMs,
  type PreviewServiceOptions,
} from './PreviewService';

export {
  PreviewService,
  DEFAULT_MAX_CONCURRENT_PREVIEWS,
  DEFAULT_PREVIEW_TIMEOUT_SECONDS,
  DEFAULT_SAMPLE_ROWS,
  MAX_SAMPLE_ROWS,
} from './PreviewService';
export type { SpecPreview } from './PreviewService';
export { PreviewTimeoutError, SourceUnreadableError } from './errors';

/** `POST /v1/specs/preview`, as an entry of the router's `extraRouters`. */
export function createPreviewApi(
  options: Omit<PreviewServiceOptions, 'timeoutMs' | 'maxConcurrent'> & {
    config: RootConfigService;
    httpAuth: HttpAuthService;
  },
) {
  const { config, httpAuth, ...service } = options;
  return {
    path: '/specs',
    router: createPreviewRouter({
      httpAuth,
      service: PreviewService.create({
        ...service,
        timeoutMs: readPreviewTimeoutMs(config),
        maxConcurrent: readMaxConcurrentPreviews(config),
      }),
    }),
  };
}
