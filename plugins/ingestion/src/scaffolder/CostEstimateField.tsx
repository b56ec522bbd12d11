import { Progress, WarningPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  resolveTemplateValues,
  type CostEstimateRequest,
  type CostEstimateResult,
  type FieldProblem,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../api/IngestionApi';
import { formatCost } from '../components/common/format';

/**
 * `ui:options` of the cost estimate: the same mapping from answers to the pipeline as the
 * template's `ingestion:pipeline:create` step (the templates share it through a YAML anchor), in
 * the scaffolder's `${{ parameters.x }}` syntax.
 */
export interface CostEstimateUiOptions {
  organization?: string;
  spec?: Record<string, unknown>;
  expectedVolumeGb?: string | number;
  workloadType?: string;
}

const WORKLOAD_TYPES = ['batch', 'batch_large', 'streaming', 'interactive'];

/** The request for the estimate from the form's answers; a message when it cannot be made. */
export function estimateRequest(
  options: CostEstimateUiOptions,
  answers: Record<string, unknown>,
): CostEstimateRequest | { missing: string } {
  const resolved = resolveTemplateValues(options, answers) as Record<
    string,
    unknown
  >;
  if (typeof resolved.organization !== 'string' || !resolved.organization) {
    return { missing: 'Choose an organization to see the estimated cost.' };
  }
  if (!resolved.spec || typeof resolved.spec !== 'object') {
    return { missing: 'This template sets no ui:options.spec to estimate.' };
  }
  const volume = Number(resolved.expectedVolumeGb);
  const workloadType = resolved.workloadType as string | undefined;
  return {
    organization: resolved.organization,
    spec: resolved.spec,
    ...(resolved.expectedVolumeGb !== undefined &&
    resolved.expectedVolumeGb !== '' &&
    Number.isFinite(volume)
      ? { expectedVolumeGb: volume }
      : {}),
    ...(workloadType && WORKLOAD_TYPES.includes(workloadType)
      ? { workloadType: workloadType as CostEstimateRequest['workloadType'] }
      : {}),
  };
}

/** Money reads as on every cost view (the pipeline's Cost tab, the cost cards and page). */
const money = (amount: number, currency: string) =>
  formatCost(amount, currency);

function EstimateError({ error }: { error: Error }) {
  const problems: FieldProblem[] =
    error instanceof ResponseError
      ? (error.body as { problems?: FieldProblem[] }).problems ?? []
      : [];
  const message =
    error instanceof ResponseError ? error.body.error.message : error.message;
  return (
    <WarningPanel
      severity="error"
      title="No estimate: the backend refused it"
      message={problems.length > 0 ? undefined : message}
      defaultExpanded
    >
      {problems.length > 0 && (
        <ul>
          {problems.map(problem => (
            <li key={`${problem.path}: ${problem.message}`}>
              <code>spec.{problem.path || '(root)'}</code>: {problem.message}
            </li>
          ))}
        </ul>
      )}
    </WarningPanel>
  );
}

/** What the estimate says, as rows of label and value. */
function rows(result: CostEstimateResult): Array<[string, string]> {
  const { estimate, budget, quotas } = result;
  const { currency } = estimate;
  const per = estimate.basis === 'hour' ? 'hour (continuous)' : 'run';
  return [
    [`Cost per ${per}`, money(estimate.costPerRun, currency)],
    [
      'Cost per month',
      `${money(estimate.costPerMonth, currency)} (${estimate.runsPerMonth} ${
        estimate.basis === 'hour' ? 'hours' : 'runs'
      })`,
    ],
    [
      `DBUs per ${estimate.basis}`,
      `${estimate.dbusPerRun} DBU at ${money(
        estimate.dbuPrice,
        currency,
      )} per DBU, ${estimate.hoursPerRun} h`,
    ],
    [
      'Cluster',
      `${estimate.workers} of ${estimate.minWorkers}–${estimate.maxWorkers} × ${estimate.nodeType} (${estimate.workloadType}), ${estimate.dbuPerHour} DBU/h`,
    ],
    ...(budget
      ? ([
          [
            'Budget left this month',
            `${money(budget.remaining, currency)} of ${money(
              budget.monthly,
              currency,
            )}`,
          ],
          [
            'Left after a month of this pipeline',
            money(budget.remainingAfter, currency),
          ],
        ] as Array<[string, string]>)
      : []),
    [
      'Quota headroom',
      `${quotas.dbuPerHour.headroom} of ${quotas.dbuPerHour.quota} DBU/h · ${quotas.concurrentRuns.headroom} of ${quotas.concurrentRuns.quota} concurrent runs · ${quotas.storageGb.headroom} of ${quotas.storageGb.quota} GB`,
    ],
  ];
}

/**
 * The `IngestionCostEstimate` field of the templates' review page: builds the pipeline from the
 * answers of the other pages (`formContext.formData`) with the mapping in its `ui:options`, and
 * shows what the ingestion backend estimates it costs, with the organization's remaining budget
 * and quota headroom, and a warning when it is over budget or cannot run within the quotas.
 * It keeps no value of its own.
 */
export function CostEstimateField(
  props: FieldExtensionComponentProps<
    string | undefined,
    CostEstimateUiOptions
  >,
) {
  const { uiSchema, formContext, schema } = props;
  const api = useApi(ingestionApiRef);
  const answers = (formContext?.formData ?? {}) as Record<string, unknown>;
  const options = (uiSchema?.['ui:options'] ?? {}) as CostEstimateUiOptions;
  const prepared = useMemo(() => {
    try {
      return estimateRequest(options, answers);
    } catch (error) {
      return { missing: (error as Error).message };
    }
    // The answers arrive as a new object on every render: compare their content.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(options), JSON.stringify(answers)]);
  const { value, loading, error } = useAsync(async () => {
    if ('missing' in prepared) return undefined;
    return api.estimateCost(prepared);
  }, [api, prepared]);

  const title = schema?.title ?? 'Estimated cost';
  let body;
  if ('missing' in prepared) {
    body = <Typography color="textSecondary">{prepared.missing}</Typography>;
  } else if (loading) {
    body = <Progress />;
  } else if (error) {
    body = <EstimateError error={error} />;
  } else if (value) {
    const { estimate, budget, quotas } = value;
    body = (
      <>
        {quotas.exceeded.length > 0 && (
          <WarningPanel
            severity="error"
            title="This pipeline cannot run within the organization's quotas: Create will fail"
            message={quotas.exceeded.join(' ')}
            defaultExpanded
          />
        )}
        {budget?.exceeded && (
          <WarningPanel
            severity="warning"
            title={`Over budget: ${money(
              estimate.costPerMonth,
              estimate.currency,
            )} a month, ${money(budget.remaining, estimate.currency)} left`}
            message={`A month of this pipeline costs more than what is left of ${value.organization}'s budget this month.`}
            defaultExpanded
          />
        )}
        <Table size="small" aria-label={title}>
          <TableBody>
            {rows(value).map(([label, text]) => (
              <TableRow key={label}>
                <TableCell component="th" scope="row">
                  {label}
                </TableCell>
                <TableCell>{text}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {value.warnings
          .filter(warning => !budget?.exceeded || !/budget/.test(warning))
          .map(warning => (
            <WarningPanel key={warning} severity="warning" title={warning} />
          ))}
        <Typography variant="caption" component="div">
          Assumptions: {estimate.assumptions.join('; ')}.
          {value.appliedDefaults.length > 0 &&
            ` From the organization: ${value.appliedDefaults.join(', ')}.`}
        </Typography>
      </>
    );
  }
  return (
    <Box marginY={2}>
      <Typography variant="h6">{title}</Typography>
      {schema?.description && (
        <Typography variant="body2" color="textSecondary">
          {schema.description}
        </Typography>
      )}
      {body}
    </Box>
  );
}
