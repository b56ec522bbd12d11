export {
  budgetAfter,
  dbuRate,
  defaultWorkloadType,
  estimateCost,
  estimatePipelineCost,
  GB_PER_WORKER_HOUR,
  NODE_DBU_RATES,
  quotaHeadroom,
  STARTUP_HOURS,
} from './estimateCost';
