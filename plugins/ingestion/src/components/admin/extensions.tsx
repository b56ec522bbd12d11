import type { ExtensionDefinition } from '@backstage/frontend-plugin-api';

/** The admin views' extensions (pages, entity cards, their API), added to the plugin as one list. */
export const adminExtensions: ExtensionDefinition[] = [];
