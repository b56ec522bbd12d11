import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import { createQualityScoresRouter } from './router';
import { QualityScoresService } from './QualityScoresService';
import { QualityScoresStore } from './QualityScoresStore';

export { QualityScoresService } from './QualityScoresService';
export { SEVERITY_WEIGHTS } from './qualityScore';

/** Quality scores (`/v1/quality/scores`), as an entry of the router's `extraRouters`. */
export function createQualityScoresApi(options: {
  knex: Knex;
  httpAuth: HttpAuthService;
  authorizer: IngestionAuthorizer;
}) {
  return {
    path: '/quality',
    router: createQualityScoresRouter({
      httpAuth: options.httpAuth,
      service: new QualityScoresService({
        store: new QualityScoresStore(options.knex),
        authorizer: options.authorizer,
      }),
    }),
  };
}
