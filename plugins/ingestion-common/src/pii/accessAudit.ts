/**
 * The governance policy's access auditing for a table: the brief's `restricted` classification
 * (`audit_all_access: true`) and its PII action `audit_access`. Reads of such a table (its details,
 * schema and snapshots) are recorded in the audit log; other tables' reads are not.
 * @public
 */
export function auditsTableReads(table: {
  classification?: string;
  piiColumns?: string[];
}): boolean {
  return (
    table.classification === 'restricted' || (table.piiColumns?.length ?? 0) > 0
  );
}
