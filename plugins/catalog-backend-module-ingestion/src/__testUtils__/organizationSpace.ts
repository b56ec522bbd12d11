/** Entities and facets of the organization-space test (`organizationSpace.test.ts`). */

export const ORG = 'ingestion.backstage.io/organization';

/**
 * Entities registered beside the demo organizations: a finance team (not annotated, as a portal's
 * groups from LDAP or GitHub are not), one unrelated component, and entities that try to plant
 * themselves in finance's space.
 */
export const EXTRA_YAML = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: finance-payments }
spec: { type: team, parent: finance-engineers, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: finance-payments-oncall }
spec: { type: team, parent: finance-payments, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: pat }
spec: { memberOf: [finance-payments, finance-engineers] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: website }
spec: { type: website, lifecycle: production, owner: group:default/platform-admins }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: planted
  annotations: { ${ORG}: finance }
spec: { type: data-pipeline, lifecycle: production, owner: group:default/finance }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: squat, namespace: finance }
spec: { type: data-pipeline, lifecycle: production, owner: group:default/finance }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: stowaway }
spec: { type: service, lifecycle: production, owner: group:default/platform-admins, system: system:finance/finance-data-platform }
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: finance-data-platform }
spec: { owner: group:default/platform-admins }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: fake-finance
  annotations: { ${ORG}: finance }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: mallory
  annotations: { ${ORG}: finance }
spec: { memberOf: [retail-viewers] }
`;

export const REJECTED = [
  'component:default/planted',
  'component:finance/squat',
  'component:default/stowaway',
  'system:default/finance-data-platform',
  'group:default/fake-finance',
  'user:default/mallory',
];

/** Facets a page of the catalog may show; none may name a finance entity for a retail user. */
export const FACETS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  `metadata.annotations.${ORG}`,
  'spec.owner',
  'spec.system',
  'relations.ownerOf',
  'relations.ownedBy',
  'relations.memberOf',
  'relations.hasMember',
  'relations.parentOf',
  'relations.childOf',
  'relations.dependsOn',
  'relations.dependencyOf',
  'relations.partOf',
  'relations.hasPart',
];
