export {
  EgressGuard,
  EgressRefusedError,
  OrganizationEgress,
} from './EgressGuard';
export type { CheckedDestination, EgressResolver } from './EgressGuard';
export { classifyAddress, parseAddress } from './addresses';
export type { AddressCategory, AddressVerdict } from './addresses';
export { parseAllowRule, readEgressAllowList } from './allowList';
export type { EgressAllowRule } from './allowList';
