import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { PipelinesService } from '../service/PipelinesService';
import { DeploymentService } from './DeploymentService';
import { createDeploymentRouter } from './router';

export { DeploymentService, deploymentStatus } from './DeploymentService';
export type { DeploymentStatus, Redeployment } from './DeploymentService';

/** Deployment status and redeploy under `/v1/pipelines`, as an entry of `extraRouters`. */
export function createDeploymentApi(options: {
  httpAuth: HttpAuthService;
  pipelines: PipelinesService;
  directory: OrganizationDirectory;
}) {
  return {
    path: '/pipelines',
    router: createDeploymentRouter({
      httpAuth: options.httpAuth,
      service: new DeploymentService({
        pipelines: options.pipelines,
        directory: options.directory,
      }),
    }),
  };
}
