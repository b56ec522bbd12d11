import type { BudgetStatus } from '@ingestion-for-backstage/plugin-ingestion-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles, type Theme } from '@material-ui/core/styles';
import { formatCost, formatPercent } from '../common/format';

type Level = 'ok' | 'forecastOver' | 'over';

const useStyles = makeStyles<Theme, { level: Level }>(theme => {
  const colours: Record<Level, string> = {
    ok: theme.palette.primary.main,
    forecastOver: theme.palette.warning?.main ?? '#ed6c02',
    over: theme.palette.error.main,
  };
  return {
    root: { height: 8, borderRadius: 4 },
    bar: ({ level }) => ({ backgroundColor: colours[level] }),
  };
});

/**
 * Spend of the month against a budget: a bar (red once spent, amber once the forecast passes it)
 * and the figures in words, so the bar is never the only carrier of the number.
 */
export function BudgetProgress(props: {
  budget: BudgetStatus;
  currency: string;
  label?: string;
}) {
  const { budget, currency } = props;
  let level: Level = 'ok';
  if (budget.progress >= 1) level = 'over';
  else if (budget.forecastProgress >= 1) level = 'forecastOver';
  const classes = useStyles({ level });
  return (
    <Box>
      <LinearProgress
        variant="determinate"
        value={Math.min(100, budget.progress * 100)}
        aria-label={props.label ?? 'Budget used this month'}
        classes={{ root: classes.root, bar: classes.bar }}
      />
      <Typography variant="body2" style={{ marginTop: 4 }}>
        {formatPercent(budget.progress)} of{' '}
        {formatCost(budget.monthly, currency)} · forecast{' '}
        {formatPercent(budget.forecastProgress)} (
        {formatCost(budget.forecast, currency)})
      </Typography>
    </Box>
  );
}
