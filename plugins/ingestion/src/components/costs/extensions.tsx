import type { ExtensionDefinition } from '@backstage/frontend-plugin-api';

/** The costs views' extensions (pages, entity cards, their API), added to the plugin as one list. */
export const costExtensions: ExtensionDefinition[] = [];
