import { InfoCard } from '@backstage/core-components';
import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
} from '@dnd-kit/core';
import {
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import type { FieldProblem } from '@ingestion-for-backstage/plugin-ingestion-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import ArrowDownwardIcon from '@material-ui/icons/ArrowDownward';
import ArrowUpwardIcon from '@material-ui/icons/ArrowUpward';
import DeleteIcon from '@material-ui/icons/Delete';
import DragIndicatorIcon from '@material-ui/icons/DragIndicator';
import { useState } from 'react';
import { SectionFields, SectionTypeSelect } from './SectionTypeSelect';
import {
  emptySection,
  isRecord,
  moveItem,
  pathText,
  sectionTypes,
  setAt,
  type SpecDraft,
} from './specDraft';

type ListSection = 'transformation' | 'rule';

interface ListProps {
  /** `transformations` or `data_quality`. */
  listKey: string;
  section: ListSection;
  /** What one item is called: "transform", "rule". */
  itemName: string;
  items: unknown[];
  problems: readonly FieldProblem[];
  disabled?: boolean;
  onChange(items: unknown[]): void;
}

/** A row count's bounds count rows; other rules' bounds are the column's values. */
const unitsOf = (type: unknown) =>
  type === 'row_count' ? { min: 'rows', max: 'rows' } : undefined;

function SortableItem(
  props: Omit<ListProps, 'items' | 'onChange'> & {
    id: string;
    index: number;
    count: number;
    item: unknown;
    onChange(item: unknown): void;
    onMove(to: number): void;
    onRemove(): void;
  },
) {
  const { id, index, count, item, section, itemName, listKey } = props;
  const sortable = useSortable({ id, disabled: props.disabled });
  const value = isRecord(item) ? item : {};
  const path = [listKey, index];
  const label = `${itemName} ${index + 1}`;
  const own = props.problems.filter(p => p.path === pathText(path));
  return (
    <Paper
      ref={sortable.setNodeRef}
      variant="outlined"
      role="group"
      aria-label={label}
      style={{
        transform: CSS.Transform.toString(sortable.transform),
        transition: sortable.transition,
        padding: 16,
        marginBottom: 12,
        opacity: sortable.isDragging ? 0.6 : 1,
      }}
    >
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 8 }}>
        <IconButton
          size="small"
          aria-label={`Drag ${label} (space to pick up, arrows to move)`}
          disabled={props.disabled}
          {...sortable.attributes}
          {...sortable.listeners}
          style={{ cursor: 'grab' }}
        >
          <DragIndicatorIcon />
        </IconButton>
        <Typography variant="subtitle2" style={{ minWidth: 96 }}>
          {label.charAt(0).toUpperCase() + label.slice(1)}
        </Typography>
        <SectionTypeSelect
          section={section}
          path={path}
          label="Type"
          value={value}
          disabled={props.disabled}
          onChange={props.onChange}
        />
        <Box flexGrow={1} />
        <IconButton
          size="small"
          aria-label={`Move ${label} up`}
          disabled={props.disabled || index === 0}
          onClick={() => props.onMove(index - 1)}
        >
          <ArrowUpwardIcon />
        </IconButton>
        <IconButton
          size="small"
          aria-label={`Move ${label} down`}
          disabled={props.disabled || index === count - 1}
          onClick={() => props.onMove(index + 1)}
        >
          <ArrowDownwardIcon />
        </IconButton>
        <IconButton
          size="small"
          aria-label={`Remove ${label}`}
          disabled={props.disabled}
          onClick={props.onRemove}
        >
          <DeleteIcon />
        </IconButton>
      </Box>
      {own.map(problem => (
        <Typography
          key={problem.message}
          color="error"
          variant="body2"
          gutterBottom
        >
          {problem.message}
        </Typography>
      ))}
      <SectionFields
        section={section}
        path={path}
        value={value}
        problems={props.problems}
        units={unitsOf(value.type)}
        disabled={props.disabled}
        onChange={props.onChange}
      />
    </Paper>
  );
}

/**
 * An ordered list of transforms or quality rules: drag a card by its handle (mouse, touch, or
 * keyboard: space picks it up, arrows move it, space drops it), or use the move buttons.
 */
export function SpecListEditor(props: ListProps) {
  const { items, listKey, section, itemName, onChange } = props;
  const types = sectionTypes(section);
  const [newType, setNewType] = useState(types[0] ?? '');
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: sortableKeyboardCoordinates,
    }),
  );
  const ids = items.map((_, index) => `${listKey}-${index}`);
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    onChange(
      moveItem(
        items,
        ids.indexOf(String(active.id)),
        ids.indexOf(String(over.id)),
      ),
    );
  };
  return (
    <div>
      {items.length === 0 && (
        <Typography color="textSecondary" gutterBottom>
          No {itemName}s yet.
        </Typography>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        onDragEnd={onDragEnd}
        accessibility={{
          screenReaderInstructions: {
            draggable: `To reorder a ${itemName}, press space, move it with the arrow keys and press space again; escape cancels.`,
          },
        }}
      >
        <SortableContext items={ids} strategy={verticalListSortingStrategy}>
          {items.map((item, index) => (
            <SortableItem
              key={ids[index]}
              id={ids[index]}
              index={index}
              count={items.length}
              item={item}
              listKey={listKey}
              section={section}
              itemName={itemName}
              problems={props.problems}
              disabled={props.disabled}
              onChange={next => onChange(setAt(items, [index], next))}
              onMove={to => onChange(moveItem(items, index, to))}
              onRemove={() => onChange(items.filter((_, i) => i !== index))}
            />
          ))}
        </SortableContext>
      </DndContext>
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <TextField
          id={`new-${listKey}-type`}
          select
          label={`New ${itemName} type`}
          size="small"
          variant="outlined"
          style={{ minWidth: 200 }}
          disabled={props.disabled}
          value={newType}
          onChange={e => setNewType(e.target.value)}
        >
          {types.map(type => (
            <MenuItem key={type} value={type}>
              {type}
            </MenuItem>
          ))}
        </TextField>
        <Button
          variant="outlined"
          disabled={props.disabled || !newType}
          onClick={() => onChange([...items, emptySection(section, newType)])}
        >
          Add {itemName}
        </Button>
      </Box>
    </div>
  );
}

/** The spec's two ordered lists, each in its card. */
const SPEC_LISTS = {
  transformations: {
    section: 'transformation',
    itemName: 'transform',
    title: 'Transforms',
    subheader:
      'Applied in this order; drag a card or use the arrows to reorder.',
  },
  data_quality: {
    section: 'rule',
    itemName: 'rule',
    title: 'Quality rules',
    subheader:
      'Checked on every run; a failed rule of severity fail fails the run.',
  },
} as const satisfies Record<
  string,
  { section: ListSection; itemName: string; title: string; subheader: string }
>;

/** One of the spec's lists (`transformations`, `data_quality`) in its card, read from and written to the draft. */
export function SpecListCard(props: {
  listKey: keyof typeof SPEC_LISTS;
  draft: SpecDraft;
  problems: readonly FieldProblem[];
  disabled?: boolean;
  onChange(draft: SpecDraft): void;
}) {
  const { listKey, draft } = props;
  const list = SPEC_LISTS[listKey];
  const items = draft[listKey];
  return (
    <InfoCard title={list.title} subheader={list.subheader}>
      <SpecListEditor
        listKey={listKey}
        section={list.section}
        itemName={list.itemName}
        items={Array.isArray(items) ? items : []}
        problems={props.problems}
        disabled={props.disabled}
        onChange={next => props.onChange(setAt(draft, [listKey], next))}
      />
    </InfoCard>
  );
}
