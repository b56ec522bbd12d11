/**
 * Dataset readers: each returns the Python lines that leave a DataFrame in the variable `into` (`source_df` for
 * the pipeline source, another name for a joined dataset).
 */
import { pyStr, sparkTableName } from '../python';

export { fileSource, streamingFileSource } from './fileSources';
export { httpSource } from './httpSource';
export type { HttpPagination } from './httpSource';
export { incrementalFilter } from './incrementalFilter';
export type { HighWaterMarkTarget } from './incrementalFilter';
export { jdbcSource } from './jdbcSource';
export type { JdbcDialect } from './jdbcSource';
export { kafkaSource } from './kafkaSource';

/** A table in the catalog (e.g. the Iceberg table another pipeline writes). */
export function tableSource(options: {
  into: string;
  table: string[];
  streaming: boolean;
}): string[] {
  const read = options.streaming ? 'spark.readStream' : 'spark.read';
  return [
    `${options.into} = ${read}.table(${pyStr(sparkTableName(options.table))})`,
  ];
}
