import type { PermissionRule } from '@backstage/plugin-permission-node';
import { z } from 'zod';
import type { IngestionResourceQuery } from '../resources';

const paramsSchema = z.object({
  organizationIds: z
    .array(z.string())
    .describe('Ids of the organizations whose resources match'),
});

/**
 * The `IS_IN_ORGANIZATION` rule for one resource type: the resource belongs to one of the given
 * organizations. Every ingestion resource type has it, so tenancy is one rule everywhere.
 *
 * @public
 */
export function createIsInOrganizationRule<TResourceType extends string>(
  resourceType: TResourceType,
): PermissionRule<
  { organizationId: string },
  IngestionResourceQuery,
  TResourceType,
  z.infer<typeof paramsSchema>
> {
  return {
    name: 'IS_IN_ORGANIZATION',
    description:
      'Allow resources that belong to one of the given organizations',
    resourceType,
    paramsSchema,
    apply: (resource, { organizationIds }) =>
      organizationIds.includes(resource.organizationId),
    toQuery: ({ organizationIds }) => ({
      column: 'organization_id',
      values: organizationIds,
    }),
  };
}
