import { detectPii } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { EngineRunContext } from '@ingestion-for-backstage/plugin-ingestion-node';
import { Column, quoteIdentifier } from './sql';
import { applyTransforms } from './transforms';
import { RunWorkspace } from './workspace';

const SAMPLE_ROWS = 500;

/**
 * The local engine's part of the PII policy, between staging and commit: a sample of the staged
 * table goes to the run driver's review (`context.reviewStagedOutput`), and the transforms it
 * returns (masks outside production) are applied before anything is written, so even a first
 * run never commits clear PII. The detection itself is ingestion-common's; without a reviewer
 * (an engine used on its own) the columns are only tagged.
 */
export async function reviewStagedOutput(options: {
  workspace: RunWorkspace;
  context: EngineRunContext;
  /** The staged table (unquoted name). */
  table: string;
  columns: Column[];
  checkCancelled(): void;
}): Promise<{ relation: string; columns: Column[]; piiColumns: string[] }> {
  const { workspace, context, table } = options;
  const reader = await workspace.connection.runAndReadAll(
    `SELECT * FROM ${quoteIdentifier(table)} LIMIT ${SAMPLE_ROWS}`,
  );
  const rows = reader.getRowsJS();
  const sample = Object.fromEntries(
    reader.columnNames().map((name, i) => [name, rows.map(row => row[i])]),
  );
  const review = context.reviewStagedOutput
    ? await context.reviewStagedOutput(sample)
    : { piiColumns: Object.keys(detectPii(sample)), transforms: [] };
  const staged = {
    relation: quoteIdentifier(table),
    columns: options.columns,
    piiColumns: review.piiColumns,
  };
  if (review.transforms.length === 0) return staged;
  const reviewed = await applyTransforms({
    workspace,
    source: { table, datasetRef: table },
    transforms: review.transforms,
    checkCancelled: options.checkCancelled,
    viewPrefix: `${table}_reviewed_`,
    loadJoin: () => {
      throw new Error('A review of staged output cannot join datasets');
    },
  });
  const relation = quoteIdentifier(`${table}_reviewed`);
  await workspace.connection.run(
    `CREATE TABLE ${relation} AS SELECT * FROM ${reviewed.relation}`,
  );
  return { ...staged, relation, columns: reviewed.columns };
}
