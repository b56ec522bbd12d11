/** Kafka topics, as a stream or a batch, with JSON values turned into columns. */
import { pyStr } from '../python';
import { reader, secret } from './sparkReader';

/**
 * Kafka, as a stream or (batch) the offsets currently in the topic. With a connection, SASL/PLAIN over TLS with
 * the credentials from its secret scope. JSON values become columns next to the record `timestamp`: the spec
 * declares no value schema, so it is inferred once from the records already in the topic.
 */
export function kafkaSource(options: {
  streaming: boolean;
  bootstrapServers: string;
  topic: string;
  startingOffsets: 'earliest' | 'latest';
  consumerGroup?: string;
  scope?: string;
  format: 'json' | 'string' | 'avro';
}): string[] {
  const { streaming, scope, format } = options;
  if (format === 'avro') {
    throw new Error(
      'Kafka sources with Avro values are not supported by Databricks code generation (the spec names no schema registry)',
    );
  }
  const lines: string[] = [];
  const connection: Array<[string, string]> = [
    ['kafka.bootstrap.servers', pyStr(options.bootstrapServers)],
    ['subscribe', pyStr(options.topic)],
  ];
  if (scope) {
    lines.push(
      'def _jaas_quote(value):',
      '    return value.replace("\\\\", "\\\\\\\\").replace(\'"\', \'\\\\"\')',
      '',
      '',
      `_kafka_user = _jaas_quote(${secret(scope, 'username')})`,
      `_kafka_password = _jaas_quote(${secret(scope, 'password')})`,
      '',
    );
    connection.push(
      ['kafka.security.protocol', pyStr('SASL_SSL')],
      ['kafka.sasl.mechanism', pyStr('PLAIN')],
      [
        'kafka.sasl.jaas.config',
        'f\'kafkashaded.org.apache.kafka.common.security.plain.PlainLoginModule required username="{_kafka_user}" password="{_kafka_password}";\'',
      ],
    );
  }
  if (format === 'json') {
    lines.push(
      '# The spec declares no value schema: infer it from (up to 10,000) records already in the topic.',
      ...reader(
        '_sample',
        'spark.read.format("kafka")',
        [
          ...connection,
          ['startingOffsets', pyStr('earliest')],
          ['endingOffsets', pyStr('latest')],
        ],
        '.load()',
      ),
      '_sample_values = _sample.select(F.col("value").cast("string").alias("value")).limit(10000)',
      'VALUE_SCHEMA = spark.read.json(_sample_values.rdd.map(lambda row: row.value)).schema',
      'if not VALUE_SCHEMA.fields:',
      `    raise ValueError(${pyStr(
        `No JSON records in topic ${options.topic} to infer the value schema from`,
      )})`,
      '',
    );
  }
  const entries: Array<[string, string]> = [
    ...connection,
    ['startingOffsets', pyStr(options.startingOffsets)],
    ...(streaming
      ? []
      : ([['endingOffsets', pyStr('latest')]] as Array<[string, string]>)),
    ...(options.consumerGroup
      ? ([['kafka.group.id', pyStr(options.consumerGroup)]] as Array<
          [string, string]
        >)
      : []),
  ];
  lines.push(
    ...reader(
      'source_df',
      streaming
        ? 'spark.readStream.format("kafka")'
        : 'spark.read.format("kafka")',
      entries,
      '.load()',
    ),
  );
  if (format === 'json') {
    lines.push(
      '# The record timestamp is the event time windows use by default; a value field of that name yields to it.',
      'source_df = source_df.select(',
      '    F.col("timestamp"),',
      '    F.from_json(F.col("value").cast("string"), VALUE_SCHEMA).alias("_value"),',
      ').select(',
      '    "timestamp",',
      '    *[F.col("_value")[field.name].alias(field.name) for field in VALUE_SCHEMA.fields if field.name != "timestamp"],',
      ')',
    );
  } else {
    lines.push(
      'source_df = source_df.select(',
      '    F.col("key").cast("string").alias("key"),',
      '    F.col("value").cast("string").alias("value"),',
      '    F.col("timestamp"),',
      ')',
    );
  }
  return lines;
}
