/*
 * OpenTelemetry for the reference portal, as Backstage's "Setup OpenTelemetry" tutorial does it:
 * loaded before the backend with `--require` (see package.json's start script and the
 * Dockerfile), it registers the Node SDK with a Prometheus exporter, so the metrics of
 * Backstage's plugins and of the ingestion plugin (meter `ingestion`) are scraped from
 * http://localhost:9464/metrics.
 *
 * Environment:
 * - OTEL_SDK_DISABLED=true: no SDK, no endpoint (tests that start several backends);
 * - OTEL_TRACES_EXPORTER / OTEL_LOGS_EXPORTER: `none` unless set (e.g. `otlp` with a collector);
 * - OTEL_EXPORTER_PROMETHEUS_HOST / OTEL_EXPORTER_PROMETHEUS_PORT: where the endpoint listens
 *   (default localhost:9464; a container sets the host to 0.0.0.0 for its scraper).
 */

// Prevent from running more than once (due to worker threads)
const { isMainThread } = require('node:worker_threads');

if (isMainThread && process.env.OTEL_SDK_DISABLED !== 'true') {
  const { NodeSDK } = require('@opentelemetry/sdk-node');
  const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');

  const port = Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT);
  const options = {
    host: process.env.OTEL_EXPORTER_PROMETHEUS_HOST || 'localhost',
    port: Number.isInteger(port) && port > 0 ? port : 9464,
  };
  // Metrics only, unless traces or logs are asked for (OTLP to a collector, per the OTel env vars).
  process.env.OTEL_TRACES_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const prometheus = new PrometheusExporter(options, error => {
    if (error) {
      // A busy port must not stop the portal: it runs without the scrape endpoint.
      console.warn(`Prometheus metrics endpoint not started: ${error}`);
    }
  });
  const sdk = new NodeSDK({ metricReaders: [prometheus] });
  sdk.start();
  process.once('SIGTERM', () => {
    sdk.shutdown().catch(() => undefined);
  });
}
