import { LinkButton } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import AddIcon from '@material-ui/icons/Add';
import { newPipelineRouteRef } from './routes';

/**
 * "New pipeline": the editor without a template, for the organization's engineers and admins
 * (the roles that may create pipelines; the backend decides regardless). Nothing when the editor
 * is not mounted.
 */
export function NewPipelineButton(props: {
  organization: OrganizationSummary;
}) {
  const newPipeline = useRouteRef(newPipelineRouteRef);
  const { organization } = props;
  const mayCreate = organization.roles.some(
    role => role === 'admin' || role === 'engineer',
  );
  if (!newPipeline || !mayCreate) return null;
  return (
    <LinkButton
      to={`${newPipeline()}?organization=${encodeURIComponent(
        organization.id,
      )}`}
      variant="contained"
      color="primary"
      size="small"
      startIcon={<AddIcon />}
    >
      New pipeline
    </LinkButton>
  );
}
