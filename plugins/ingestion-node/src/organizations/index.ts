export * from './organizationDirectoryClient';
