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
        /**
         * Change polls turned into delta mutations: each is a long poll, and the next starts this
         * long after the previous one answered. Default a second.
         */
        changes?: SchedulerServiceTaskScheduleDefinitionConfig;
        /**
         * How long a change poll waits in the ingestion backend for a change, in whole seconds
         * from 0 (answer at once) to 25. Default 20: an idle catalog makes one request per 20
         * seconds, and a change still shows within about a second.
         */
        changesWaitSeconds?: number;
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
