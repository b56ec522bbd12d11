export { runsPerMonth } from './runsPerMonth';
export type {
  CostEstimate,
  CostEstimateRequest,
  CostEstimateResult,
  QuotaHeadroom,
} from './types';
