export { DatabricksEngine } from './DatabricksEngine';
export type { DatabricksEngineOptions } from './DatabricksEngine';
export {
  DEFAULT_DBU_RATES,
  dbuRate,
  estimateRunDbus,
  estimatedWorkers,
} from './dbus';
