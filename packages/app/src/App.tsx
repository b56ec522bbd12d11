import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import ingestionPlugin from '@ingestion-for-backstage/plugin-ingestion';
import { navModule } from './modules/nav';
import { demoSignInModule } from './modules/signIn';

export default createApp({
  features: [catalogPlugin, ingestionPlugin, navModule, demoSignInModule],
});
