import { LinkButton } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import MoneyIcon from '@material-ui/icons/AttachMoney';
import { costPageLink, costsRouteRef } from './routes';

/** A button to the cost page (of one organization when given); nothing when the page is not installed. */
export function CostPageLink(props: { organization?: string }) {
  const costPage = useRouteRef(costsRouteRef);
  if (!costPage) return null;
  const to = props.organization
    ? costPageLink(costPage(), props.organization)
    : costPage();
  return (
    <LinkButton
      to={to}
      variant="contained"
      color="default"
      startIcon={<MoneyIcon />}
    >
      Spend and budgets
    </LinkButton>
  );
}
