export interface Config {
  ingestion?: {
    /** The organizations (tenants); the portal shows their ids and names. */
    organizations?: Array<{
      /** @visibility frontend */
      id: string;
      /** @visibility frontend */
      name: string;
    }>;
  };
}
