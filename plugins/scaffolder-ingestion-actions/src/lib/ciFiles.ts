/**
 * The CI of a generated pipeline repository: `ci/ingestion.sh` validates the spec with the
 * `ingestion` CLI on every change and applies it to the portal on the default branch (the
 * organization and name come from `catalog-info.yaml`), and a GitHub Actions workflow runs it.
 * Other CI systems run the same script: `sh ci/ingestion.sh validate`, then
 * `sh ci/ingestion.sh apply` on the default branch with `INGESTION_URL` and `INGESTION_TOKEN`.
 */
export function renderCiFiles(): Record<string, string> {
  const script = `#!/usr/bin/env sh
# CI of this pipeline with the ingestion CLI (@ingestion-for-backstage/cli):
#   sh ci/ingestion.sh validate   every change: the spec's problems with file, line and path
#   sh ci/ingestion.sh apply      the default branch: validates, then saves the spec as the
#                                 pipeline's new version in the portal (nothing when unchanged)
# apply needs INGESTION_URL (the portal) and INGESTION_TOKEN. INGESTION_CLI names another
# ingestion command (default: the published package through npx).
set -eu
cd "$(dirname "$0")/.."
INGESTION_CLI="\${INGESTION_CLI:-npx --yes --package @ingestion-for-backstage/cli ingestion}"
case "\${1:-validate}" in
  validate)
    $INGESTION_CLI validate pipeline.yaml
    ;;
  apply)
    $INGESTION_CLI validate pipeline.yaml
    $INGESTION_CLI pipelines apply pipeline.yaml
    ;;
  *)
    echo "usage: sh ci/ingestion.sh validate|apply" >&2
    exit 2
    ;;
esac
`;
  const workflow = `# Validates the pipeline on every change; applies it to the portal on the default branch.
# Set the repository variable INGESTION_URL and the secret INGESTION_TOKEN.
name: ingestion
on:
  push:
  pull_request:
jobs:
  pipeline:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - name: Validate the pipeline spec
        run: sh ci/ingestion.sh validate
      - name: Apply the pipeline to the portal
        if: github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)
        run: sh ci/ingestion.sh apply
        env:
          INGESTION_URL: \${{ vars.INGESTION_URL }}
          INGESTION_TOKEN: \${{ secrets.INGESTION_TOKEN }}
`;
  return {
    'ci/ingestion.sh': script,
    '.github/workflows/ingestion.yml': workflow,
  };
}
