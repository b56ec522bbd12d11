import type { ExtensionDefinition } from '@backstage/frontend-plugin-api';

/** The explore views' extensions (lineage explorer, quality monitor), added to the plugin as one list. */
export const exploreExtensions: ExtensionDefinition[] = [];
