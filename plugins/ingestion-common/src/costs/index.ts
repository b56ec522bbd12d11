export { runsPerMonth } from './runsPerMonth';
export type {
  CostEstimate,
  CostEstimateRequest,
  CostEstimateResult,
  QuotaHeadroom,
} from './types';
export { SPEND_TAGS } from './spend';
export type {
  BudgetAlert,
  BudgetList,
  BudgetStatus,
  BudgetUpdate,
  ChargebackBreakdown,
  PipelineSpend,
  SpendGranularity,
  SpendSeries,
  SpendSummary,
  SpendTag,
} from './spend';
