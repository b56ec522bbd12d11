export { buildSpecInput, resolveTemplateValues } from './buildSpec';
export type { SpecDefaults } from './buildSpec';
