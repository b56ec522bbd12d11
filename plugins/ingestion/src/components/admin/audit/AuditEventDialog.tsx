import { CodeSnippet } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import type { AuditEvent } from '../../../api/AdminApi';
import { formatTime } from '../../common/format';

/** One audit event with all it recorded: who, what, which resource, the outcome and details. */
export function AuditEventDialog(props: {
  event?: AuditEvent;
  onClose(): void;
}) {
  const { event, onClose } = props;
  const rows: Array<[string, string | undefined]> = event
    ? [
        ['When', `${formatTime(event.at)} (${event.at})`],
        ['Actor', event.actor],
        ['Action', event.action],
        [
          'Resource',
          `${event.targetType}${event.targetId ? ` ${event.targetId}` : ''}`,
        ],
        ['Outcome', event.outcome],
        ['Reason', event.reason],
        ['Event id', event.id],
      ]
    : [];
  return (
    <Dialog open={Boolean(event)} onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>Audit event {event?.action}</DialogTitle>
      <DialogContent>
        <Table size="small" aria-label="Audit event">
          <TableBody>
            {rows
              .filter(([, value]) => value !== undefined)
              .map(([label, value]) => (
                <TableRow key={label}>
                  <TableCell component="th" scope="row">
                    {label}
                  </TableCell>
                  <TableCell>{value}</TableCell>
                </TableRow>
              ))}
          </TableBody>
        </Table>
        {event?.meta && (
          <CodeSnippet
            language="json"
            text={JSON.stringify(event.meta, null, 2)}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} color="primary">
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}
