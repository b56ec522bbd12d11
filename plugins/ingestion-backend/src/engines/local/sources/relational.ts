/**
 * MySQL, MariaDB and PostgreSQL sources, streamed in batches: MySQL through the driver's row
 * stream (with back-pressure), PostgreSQL through a server-side cursor (`FETCH n`). Every value
 * is read as text and converted in DuckDB to the type derived from the driver's column metadata,
 * so types survive exactly (decimals, 64-bit integers, microsecond timestamps in UTC).
 */

export { mysqlColumn, readMysql } from './mysql';
export { postgresColumn, readPostgres } from './postgres';
