import type { HumanDuration } from '@backstage/types';

export interface Config {
  /** Ingestion for Backstage: multi-tenant data ingestion. */
  ingestion?: {
    /**
     * Groups whose members administer every organization (platform team).
     * Entity refs such as `group:default/platform-admins`.
     */
    platformAdmins?: string[];

    /** How the ingestion permission policy governs the software catalog. */
    catalog?: {
      /**
       * Groups whose members may register, update and remove catalog locations (and analyze them
       * and open the register page), besides the platform admins. Entity refs such as
       * `group:default/catalog-admins`. Defaults to none: platform admins only.
       */
      locationAdmins?: string[];
    };

    /** Prices used to turn usage into cost records. */
    pricing?: {
      /** USD per Databricks DBU. Defaults to 0.55. */
      dbu?: number;
      /** USD per GB-month of storage. Defaults to 0.023. */
      storageGbMonth?: number;
      /** ISO currency code of all amounts. Defaults to USD. */
      currency?: string;
    };

    /** Alerts to pipeline owners as Backstage notifications (see the README's "Alerts"). */
    alerts?: {
      /**
       * How long after a scheduled fire time a pipeline may still succeed before it counts as
       * stale: an ISO 8601 duration (`PT30M`) or an object (`{ minutes: 30 }`). Defaults to 30 minutes.
       */
      freshnessGracePeriod?: string | HumanDuration;
      /** The scheduled freshness check. */
      freshness?: {
        /** Defaults to true. */
        enabled?: boolean;
        /** How often scheduled pipelines are checked. Defaults to 5. */
        checkEveryMinutes?: number;
      };
    };

    /** Spend: prices of the local engine and the platform, budgets and their alerts. */
    costs?: {
      /**
       * The local engine's runs are charged their measured usage, priced like a small cloud VM.
       */
      localEngine?: {
        /** Per CPU-second the run used (user + system). Defaults to 0.0000111 (0.04 per vCPU-hour). */
        cpuSecond?: number;
        /** Per GB-hour of the run's peak memory over its duration. Defaults to 0.0045. */
        gbHour?: number;
      };
      /** Platform usage: each organization's successful API requests, billed per day. */
      platform?: {
        /** Per 1000 requests. Defaults to 0.02. */
        perThousandRequests?: number;
      };
      /** How often storage and platform usage are sampled (each day is sampled once). Defaults to 6. */
      sampleEveryHours?: number;
      /**
       * Refuse new runs (409, naming the budget) while the organization's budget, or the budget of
       * the pipeline owner's team, is spent for the month. Defaults to false.
       */
      blockRunsAtBudget?: boolean;
      budgets?: {
        /** Thresholds of budgets set without any, as fractions of the budget. Defaults to [0.5, 0.8, 1]. */
        defaultThresholds?: number[];
        /** How often budgets are evaluated against actual and forecast spend. Defaults to 15. */
        evaluateEveryMinutes?: number;
      };
    };

    /**
     * Reconciliation of Databricks runs' DBUs with `system.billing.usage`, for organizations with
     * `databricks.billingWarehouseId`. Billing data arrives hours after a run: a scheduled task looks
     * for the billed DBUs of finished runs and replaces the cluster-based estimate (and the run's
     * compute cost) when they appear.
     */
    databricksBilling?: {
      /** How often the task runs. Defaults to 30. */
      frequencyMinutes?: number;
      /** Runs finished longer ago than this keep their estimate. Defaults to 3. */
      lookbackDays?: number;
      /** First look this long after a run finished; later looks back off (doubling, at most 12 h). Defaults to 60. */
      firstCheckAfterMinutes?: number;
    };

    /**
     * Runs that deployed Databricks jobs' own schedules start: a scheduled task lists each deployed
     * job's runs and records the ones the backend did not start, so they are followed like any run.
     */
    databricksScheduledRuns?: {
      /** How often the task runs. Defaults to 5. */
      frequencyMinutes?: number;
      /** Runs of this last window are listed on every pass. Defaults to 24. */
      lookbackHours?: number;
      /** After an outage, a job's runs are listed from its last recorded scheduled run (or its deployment), at most this far back. Defaults to 60 (how long Databricks keeps job runs). */
      catchUpDays?: number;
    };

    /**
     * Deployed Databricks jobs follow their pipeline's effective spec: a scheduled task re-imports a
     * job's notebook when the PII masks of its non-production organization changed since the
     * deployment (columns tagged by runs, scans or Iceberg discovery).
     */
    /**
     * Each organization's `quotas.storage.retentionDays`, applied to the Iceberg tables of its local
     * catalog: a scheduled task expires snapshots older than that (never younger than a day, never the
     * current one) and deletes the files only they referenced. A table's
     * `history.expire.max-snapshot-age-ms` and `history.expire.min-snapshots-to-keep` take precedence.
     */
    icebergSnapshotExpiry?: {
      /** Default true. */
      enabled?: boolean;
      /** How often the task runs. Defaults to 24. */
      frequencyHours?: number;
    };

    databricksDeploymentSync?: {
      /** How often the task runs. Defaults to 5. */
      frequencyMinutes?: number;
    };

    /**
     * Rate limits of the `/api/ingestion/v1` routes (all but `health`). Requests naming an
     * organization the caller belongs to count against that organization's
     * `quotas.api.requestsPerMinute` and `requestsPerDay`; all others against the caller's own
     * per-minute limit below. Counts are shared by backend replicas through `backend.cache`
     * (configure Redis or Valkey when running more than one replica).
     */
    rateLimits?: {
      /** Set to false to turn rate limiting off. Defaults to true. */
      enabled?: boolean;
      /** Requests per minute and user that name no organization. Defaults to 600. */
      unattributedPerUserPerMinute?: number;
      /**
       * The fraction of each of an organization's API quotas (per minute, per day) one caller (user
       * or service) may use, so that no single caller exhausts the organization's quota. Above 0,
       * at most 1 (1: no per-caller share). Defaults to 0.25.
       */
      userShareOfOrganization?: number;
      /**
       * When the limits cannot be checked (the shared cache or the database does not answer):
       * `open` lets requests through (each replica enforcing on its own counts), `closed` answers
       * 503 with `Retry-After`. Defaults to `closed` when `NODE_ENV` is `production`, else `open`.
       */
      failureMode?: 'open' | 'closed';
    };

    /**
     * Other backends and automation (service principals) and what they may do. A service principal
     * acts only in the organizations listed for its subject, with the roles listed; services not
     * listed see no organization at all. Each request of a service names the organization it acts
     * for (the `organization` parameter, or a resource of it in the path) and is audited as
     * `service:<subject>` and charged to that organization's API quota. Restrict what the token
     * may do further with `backend.auth.externalAccess[].accessRestrictions`.
     */
    servicePrincipals?: Array<{
      /**
       * The service's subject: the `subject` of a `static` or `legacy` entry of
       * `backend.auth.externalAccess`, or `plugin:<pluginId>` for another backend plugin.
       */
      subject: string;
      /** Ids of the organizations it acts in. */
      organizations: string[];
      /** Its roles in each of them: admin, engineer, analyst or viewer. */
      roles: Array<'admin' | 'engineer' | 'analyst' | 'viewer'>;
    }>;

    /** Encryption of connection secrets (AES-256-GCM under a per-organization key). */
    secrets?: {
      /**
       * Master keys, current first. Each organization's data key is derived from the current key;
       * older keys still decrypt rows written under them until a re-encryption pass moves those
       * rows to the current key. Read the values from the environment:
       * `- id: key-2026-01` / `key: ${INGESTION_MASTER_KEY}`.
       */
      masterKeys?: Array<{
        /** Stable id stored with each row (letters, digits, `.`, `_`, `-`; at most 64). */
        id: string;
        /**
         * Base64 of at least 32 random bytes (`openssl rand -base64 32`).
         * @visibility secret
         */
        key: string;
      }>;
      /**
       * Development only (`NODE_ENV=development`), when no master key is configured: the file a
       * generated key is kept in (mode 0600), relative to the backend's working directory.
       * Defaults to `$XDG_STATE_HOME/ingestion-for-backstage/connections-dev-master-key.json`
       * (`~/.local/state/...` without XDG_STATE_HOME): outside the portal's work tree, so the key
       * cannot be committed. A key an earlier version left in
       * `.data/ingestion/connections-dev-master-key.json` is moved there at start.
       */
      devKeyFile?: string;
    };

    /**
     * OpenLineage: every finished run's RunEvents (START, then COMPLETE, FAIL or ABORT) are sent to
     * `url` (Marquez, DataHub, OpenMetadata) when it is set; `/v1/pipelines/{id}/openlineage`
     * exports them either way.
     */
    openLineage?: {
      /** The lineage endpoint, e.g. `http://marquez:5000/api/v1/lineage`. */
      url?: string;
      /**
       * Sent as a bearer token.
       * @visibility secret
       */
      apiKey?: string;
      /** The `producer` URI of the events. Default `<backend.baseUrl>/api/ingestion`. */
      producer?: string;
      /** Job namespaces are `<prefix>.<organization>`. Default `ingestion`. */
      namespacePrefix?: string;
      /** Attempts per event, the first included. Default 5. */
      maxAttempts?: number;
      /** Delay before the first retry in ms, doubled each time. Default 500. */
      retryDelayMs?: number;
    };

    /**
     * Discovery of the organizations' Iceberg tables (the local SQL catalog and REST catalogs):
     * new and changed tables are recorded and sampled for PII.
     */
    icebergDiscovery?: {
      /** Set to false to not discover tables in this backend instance. Default true. */
      enabled?: boolean;
      /** Minutes between passes. Default 5. */
      frequencyMinutes?: number;
      /** Page size asked of REST catalogs. Default 100. */
      pageSize?: number;
    };

    /** The run driver: moves runs from `queued` to a final state (see the README, "Runs"). */
    runDriver?: {
      /** Set to false to not drive runs in this backend instance. Default true. */
      enabled?: boolean;
      /** Seconds between ticks (the scheduler runs one tick at a time across replicas). Default 2. */
      frequencySeconds?: number;
      /** Attempts of a run that fails with a retryable error, the first included. Default 3. */
      maxAttempts?: number;
      /** Delay before the first retry, doubled for each further one. Default 30. */
      retryDelaySeconds?: number;
      /** Longest delay between attempts. Default 900. */
      maxRetryDelaySeconds?: number;
    };

    /** Preview of draft specs on a sample (`POST /v1/specs/preview`, see the README). */
    preview?: {
      /**
       * Seconds a preview may run before it is stopped (504). Default 30; fractions allowed,
       * above 0 and at most 3600.
       */
      timeoutSeconds?: number;
      /**
       * Previews one backend instance runs at once (they share its DuckDB with the local runs);
       * more answer 503. Default 4, from 1 to 64.
       */
      maxConcurrent?: number;
    };

    /** The local (DuckDB) engine. */
    localEngine?: {
      /** Rows per batch when streaming from MySQL, MariaDB and PostgreSQL. Default 10000. */
      batchSize?: number;
      /** DuckDB worker threads. Default: the number of cores. */
      threads?: number;
      /** DuckDB memory limit, e.g. `4GB`. Default: DuckDB's (80% of RAM). */
      memoryLimit?: string;
      /** Where DuckDB spills intermediate results. Default `<os tmp>/ingestion-local-engine`. */
      tempDirectory?: string;
      http?: {
        /**
         * @deprecated No longer read (a warning is logged): a global switch would open every
         * tenant's sources to the backend's network. Allow-list private destinations per
         * organization in `ingestion.organizations[].egress.allow`.
         */
        allowPrivateNetworks?: boolean;
      };
    };

    /** Seeds demo data on first start with an empty database. Only honoured in development. */
    demoData?: {
      enabled?: boolean;
    };

    /**
     * Where organizations live. `database` (default): in the backend's store, where platform admins
     * create, update and retire them through `/v1/organizations`; `ingestion.organizations` entries
     * whose id the store does not hold are added at start (all of them on the first start) and
     * entries it holds are left as the store has them. `config`: `ingestion.organizations` alone
     * (the write routes answer 409).
     */
    organizationsSource?: 'database' | 'config';

    /**
     * Seconds a backend (and the permission policy) uses the organizations it read before reading
     * them again: how long a change made through another replica takes to count. Defaults to 5.
     */
    organizationsCacheSeconds?: number;

    /**
     * Seconds a user's permission decision is reused before the permission backend is asked again
     * (per user, groups and permission; dropped at once when the organizations change): the longest
     * a change the permission policy alone decides takes to count. 0 to 10; defaults to 3; 0 asks on
     * every request. See "Security model" in the README.
     */
    permissionDecisionCacheSeconds?: number;

    /**
     * The organizations (tenants) sharing this portal: with `organizationsSource: database`, the
     * seed of the store. Secrets (`databricks.token`, `iceberg.restCatalogs`) stay in config and
     * apply to the organization of the same id.
     */
    organizations?: Array<{
      /** Stable id, lower-case: `finance`. Used in entity names, paths and API filters. */
      id: string;
      /** Display name. */
      name: string;
      /** What the organization is, for the organizations page. */
      description?: string;
      /** Cost center for chargeback, for example `FIN-001`. */
      costCenter: string;
      /** `production`, `staging` or `development`. */
      environment: string;
      /** The group that owns the organization's entities, for example `group:default/finance`. */
      ownerGroup: string;
      /** Project or initiative code, written as the `Project` cost tag. */
      project?: string;
      /** Org roles mapped onto Backstage groups: a member of any listed group holds the role. */
      roles: {
        admin?: string[];
        engineer?: string[];
        analyst?: string[];
        viewer?: string[];
      };
      /** Resource quotas, in the shape of the product brief's `organization_quotas`. */
      quotas?: {
        databricks?: {
          maxDbuPerHour?: number;
          maxClusters?: number;
          maxConcurrentJobs?: number;
        };
        storage?: {
          maxStorageGb?: number;
          retentionDays?: number;
        };
        compute?: {
          maxEcsTasks?: number;
          maxCpuUnits?: number;
        };
        api?: {
          /** API requests per minute charged to the organization (429 beyond). Defaults to 600. */
          requestsPerMinute?: number;
          /** API requests per UTC day charged to the organization. Defaults to 50000. */
          requestsPerDay?: number;
        };
      };
      /** Which engine runs this organization's pipelines: `local` (DuckDB) or `databricks`. */
      engine?: string;
      /**
       * Storage root of the organization: a local folder (relative to the backend's working
       * directory) or `s3://bucket/prefix`. File sources are resolved inside it and can never leave it.
       */
      storage: string;
      /**
       * More S3 locations the organization owns besides `storage`, as `s3://bucket` or
       * `s3://bucket/prefix`. Pipeline specs may read and write `s3://` paths only under `storage`
       * (when it is on S3) and these; every other bucket is refused, connection or not.
       */
      storageLocations?: string[];
      /** S3 client settings when `storage` is an `s3://` URL. */
      s3?: {
        region?: string;
        /** Custom endpoint (MinIO, LocalStack). */
        endpoint?: string;
        forcePathStyle?: boolean;
        accessKeyId?: string;
        /** @visibility secret */
        secretAccessKey?: string;
      };
      /** The organization's Iceberg catalog. */
      iceberg?: {
        /** Catalog name used in table identifiers (`finance_catalog`). */
        catalog?: string;
        /** `sql` (the local catalog in the backend database) or `rest`. */
        type?: string;
        /** REST catalog endpoint (Unity Catalog, Polaris, Glue, Lakekeeper). */
        uri?: string;
        warehouse?: string;
        /** @visibility secret */
        token?: string;
        oauth2?: {
          tokenUrl: string;
          clientId: string;
          /** @visibility secret */
          clientSecret: string;
          scope?: string;
        };
        /**
         * More Iceberg REST catalogs whose tables belong to the organization (discovered on a
         * schedule, see `ingestion.icebergDiscovery`).
         */
        restCatalogs?: Array<{
          /** The catalog's name in table identifiers (`unity`, `polaris_main`). */
          name: string;
          /** Base URL of the REST API (the part before `/v1/`). */
          uri: string;
          /** Warehouse asked for in `GET /v1/config` (its prefix is then used). */
          warehouse?: string;
          auth?: {
            /** `none`, `bearer` or `oauth2` (client credentials). */
            type: string;
            /** @visibility secret */
            token?: string;
            clientId?: string;
            /** @visibility secret */
            clientSecret?: string;
            /** Default `<uri>/v1/oauth/tokens`. */
            tokenUrl?: string;
            /** Default `catalog`. */
            scope?: string;
          };
        }>;
      };
      /** The organization's Databricks workspace. */
      databricks?: {
        host: string;
        /**
         * Personal access token or service principal token; read it from the environment.
         * @visibility secret
         */
        token: string;
        clusterPolicyId?: string;
        notificationEmails?: string[];
        /**
         * A SQL warehouse of the workspace that can read `system.billing.usage`. When set, each run's DBUs
         * (first estimated from its cluster) are replaced by the billed figure once billing has it (see
         * `ingestion.databricksBilling`).
         */
        billingWarehouseId?: string;
        /**
         * The workspace id in billing records (`workspace_id`): system tables hold the usage of every
         * workspace of the account, and run ids are only unique within one. Recommended with
         * `billingWarehouseId`.
         */
        workspaceId?: string;
      };
      /** Monthly budget and alert thresholds (fractions of the budget). */
      budget?: {
        monthly: number;
        alertThresholds?: number[];
      };
      /**
       * Where the backend may connect for this organization (database sources and connection
       * tests, HTTP sources, S3 endpoints, Iceberg REST catalogs). Public addresses are allowed;
       * loopback, private, link-local, carrier-grade NAT and reserved ranges only when an entry
       * here admits them. Cloud metadata, unspecified, multicast and broadcast addresses and the
       * backend's own database server are refused whatever this says.
       */
      egress?: {
        /**
         * Allowed destinations on private networks. An entry gives `host` (a name, `*.domain`
         * for names below it, or an address) and/or `cidr` (`10.20.0.0/16`, `fd00:1::/64`), and
         * always `ports` (numbers or ranges like `8000-8099`). A `host` name admits whatever it
         * resolves to, so list only names your own DNS answers for.
         */
        allow?: Array<{
          host?: string;
          cidr?: string;
          ports: Array<number | string>;
        }>;
      };
    }>;
  };
}
