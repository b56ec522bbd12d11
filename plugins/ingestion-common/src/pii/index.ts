export {
  PII_TYPES,
  detectPii,
  luhnValid,
  piiTypesOf,
  piiTypesOfName,
} from './detectPii';
export type { PiiDetectionOptions } from './detectPii';
export {
  PII_CLEAR_ENVIRONMENTS,
  PII_MASK_METHOD,
  describePiiMasking,
  masksPii,
  piiMaskTransform,
  withPiiMasking,
} from './masking';
export type { PiiMaskedColumn } from './masking';
export { auditsTableReads } from './accessAudit';
