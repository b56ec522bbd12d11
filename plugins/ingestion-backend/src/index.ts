export { ingestionPlugin as default } from './plugin';
export { permissionModuleIngestionPolicy } from './policy/module';
export { IngestionPermissionPolicy } from './policy/IngestionPermissionPolicy';
export {
  IngestionPermissionDecisions,
  type IngestionPermissionDecisionsServices,
} from './policy/IngestionPermissionDecisions';
