/** Organization ids, as the ingestion API accepts them. */
export const ORGANIZATION_ID = /^[a-z][a-z0-9-]{1,39}$/;
/** Pipeline names, as the ingestion API accepts them. */
export const PIPELINE_NAME = /^[a-z][a-z0-9_-]{1,62}$/;
/** Pipeline ids (UUIDs). */
export const PIPELINE_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Repository names: a file-name-safe slug. */
export const REPOSITORY_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/** Branch names accepted for the local repositories. */
export const BRANCH_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
