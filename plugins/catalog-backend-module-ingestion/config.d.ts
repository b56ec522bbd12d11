import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /** The ingestion entity provider (`@ingestion-for-backstage/plugin-catalog-backend-module-ingestion`). */
      ingestion?: {
        /** Set to false to register the module without emitting entities. Default true. */
        enabled?: boolean;
        /** Full refreshes: everything read and applied again. Default every 30 minutes. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /** Change polls turned into delta mutations. Default every second. */
        changes?: SchedulerServiceTaskScheduleDefinitionConfig;
        /** Items per page read from the ingestion backend's export (1 to 2000). Default 1000. */
        pageSize?: number;
        /** Base URL of pipeline page links. Default `app.baseUrl`. */
        portalBaseUrl?: string;
        /**
         * Role groups of organizations created at run time that no other catalog source defines
         * (Group, `spec.type: ingestion-role`). Set `enabled: false` to emit none. Default on,
         * read every 10 seconds.
         */
        roleGroups?: {
          enabled?: boolean;
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        };
      };
    };
  };
}
