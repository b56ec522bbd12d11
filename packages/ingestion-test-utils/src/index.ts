/**
 * Pieces the packages' integration tests share when they start a test backend with the real
 * permission backend (never published).
 *
 * @packageDocumentation
 */
export {
  authWithActorsServiceFactory,
  demoUserHeader,
  demoUserInfoServiceFactory,
} from './testBackendServices';
