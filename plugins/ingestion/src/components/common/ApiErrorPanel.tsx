import { EmptyState, ResponseErrorPanel } from '@backstage/core-components';

/** The HTTP status of a failed API call, when the error carries one. */
export function errorStatus(error: unknown): number | undefined {
  const e = error as {
    statusCode?: unknown;
    response?: { status?: unknown };
  } | null;
  const status = e?.statusCode ?? e?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * A failed API call, said plainly: 403 is "you do not have access", 404 is "not found" (the
 * backend answers 404 for another organization's resources too, so nobody learns they exist);
 * anything else shows the server's message.
 */
export function ApiErrorPanel(props: {
  error: Error;
  /** What was asked for: "This pipeline", "Costs of this organization". */
  resource?: string;
}) {
  const { error, resource = 'This resource' } = props;
  const status = errorStatus(error);
  if (status === 403) {
    return (
      <EmptyState
        missing="info"
        title="You do not have access"
        description={`${resource} is not open to your roles. An admin of its organization can give you a role that grants it. (${error.message})`}
      />
    );
  }
  if (status === 404) {
    return (
      <EmptyState
        missing="data"
        title="Not found"
        description={`${resource} does not exist, or belongs to an organization you are not a member of.`}
      />
    );
  }
  return <ResponseErrorPanel error={error} />;
}
