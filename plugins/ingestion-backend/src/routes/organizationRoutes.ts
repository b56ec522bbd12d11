import type { OrganizationsService } from '../service/OrganizationsService';
import type { RouteContext } from './routeContext';

/** `/v1/organizations` (the caller's) and `/v1/quotas`. */
export function registerOrganizationRoutes(
  route: RouteContext,
  options: { organizations: OrganizationsService },
): void {
  const { api, params, credentialsOf, userCredentialsOf } = route;
  api.get('/v1/organizations', async (req, res) => {
    res.json({
      items: await options.organizations.listMine(await userCredentialsOf(req)),
    });
  });

  api.get('/v1/quotas', async (req, res) => {
    res.json(
      await options.organizations.quotaReport(
        await credentialsOf(req),
        params(req).organization!,
      ),
    );
  });
}
