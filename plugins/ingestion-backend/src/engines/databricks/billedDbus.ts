import type {
  DatabricksClient,
  EngineOrganization,
} from '@ingestion-for-backstage/plugin-ingestion-node';

/**
 * DBUs billed for one job run. `usage_metadata.job_run_id` is a string column; `usage_date` bounds the scan to
 * the partitions since the run began. Values are bound as parameters, never written into the SQL.
 */
export function billedDbusStatement(byWorkspace: boolean): string {
  return [
    'SELECT SUM(usage_quantity) AS dbus, COUNT(*) AS records',
    'FROM system.billing.usage',
    'WHERE usage_metadata.job_run_id = :job_run_id',
    "  AND usage_unit = 'DBU'",
    '  AND usage_date >= :from_date',
    ...(byWorkspace ? ['  AND workspace_id = :workspace_id'] : []),
  ].join('\n');
}

/**
 * DBUs `system.billing.usage` has for Databricks run `runId`, summed through the organization's
 * billing SQL warehouse `warehouseId`; undefined while billing has no record of the run yet.
 */
export async function queryBilledDbus(
  client: DatabricksClient,
  options: {
    organization: EngineOrganization;
    warehouseId: string;
    runId: number;
    since: Date;
    statements?: { pollIntervalMs?: number; timeoutMs?: number };
  },
): Promise<number | undefined> {
  const { organization, warehouseId, runId, since } = options;
  const workspaceId = organization.databricks?.workspaceId;
  const { rows } = await client.executeStatement({
    warehouseId,
    statement: billedDbusStatement(workspaceId !== undefined),
    parameters: [
      { name: 'job_run_id', value: String(runId) },
      {
        name: 'from_date',
        value: since.toISOString().slice(0, 10),
        type: 'DATE',
      },
      ...(workspaceId !== undefined
        ? [{ name: 'workspace_id', value: workspaceId }]
        : []),
    ],
    ...options.statements,
  });
  const [dbus, records] = rows[0] ?? [];
  if (
    !records ||
    Number(records) === 0 ||
    dbus === null ||
    dbus === undefined
  ) {
    return undefined;
  }
  const value = Number(dbus);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(
      `system.billing.usage returned ${dbus} DBUs for run ${runId}, which is not a number of DBUs`,
    );
  }
  return Math.round(value * 10_000) / 10_000;
}
