export { OrganizationDashboard } from './OrganizationDashboard';
