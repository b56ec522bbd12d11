import type { PermissionRule } from '@backstage/plugin-permission-node';
import { z } from 'zod';
import type { IngestionResourceQuery } from '../resources';

const paramsSchema = z.object({
  claims: z
    .array(z.string())
    .describe(
      'Entity refs (user and groups) of the caller, as in the identity claims',
    ),
});

/**
 * The `IS_OWNER` rule for pipelines and tables: the resource is owned by one of the given
 * entity refs (typically the caller's ownership claims).
 *
 * @public
 */
export function createIsOwnerRule<TResourceType extends string>(
  resourceType: TResourceType,
): PermissionRule<
  { owner: string },
  IngestionResourceQuery,
  TResourceType,
  z.infer<typeof paramsSchema>
> {
  return {
    name: 'IS_OWNER',
    description: 'Allow resources owned by one of the given user or group refs',
    resourceType,
    paramsSchema,
    apply: (resource, { claims }) =>
      claims.some(
        claim =>
          claim.toLocaleLowerCase('en-US') ===
          resource.owner.toLocaleLowerCase('en-US'),
      ),
    toQuery: ({ claims }) => ({
      column: 'owner',
      values: claims.map(claim => claim.toLocaleLowerCase('en-US')),
    }),
  };
}
