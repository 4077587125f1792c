import {
  DndContext,
  type DragEndEvent,
  type DragStartEvent,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { ActionIcon, Badge, Button, CloseButton, Group, Menu, ScrollArea, Stack, Text, TextInput, Title } from '@mantine/core';
import {
  IconArrowBarToDown,
  IconDots,
  IconGripVertical,
  IconPlayerPlay,
  IconPlayerTrackNext,
  IconSearch,
  IconTrash,
  IconX,
} from '@tabler/icons-react';
import {
  type KeyboardEvent,
  type KeyboardEventHandler,
  type MouseEvent,
  type PointerEventHandler,
  useMemo,
  useState,
} from 'react';
import type { QueueEntry, Track } from '../api/types';
import { useDropTarget } from '../hooks/useDropTarget';
import { dropOnQueue, dropPlays } from '../lib/dropActions';
import { formatTime, plural } from '../lib/format';
import { attempt } from '../lib/notify';
import {
  clickSelect,
  dropGap,
  emptySelection,
  filterQueue,
  keepSelected,
  moveBlock,
  type Selection,
  selectedInOrder,
} from '../lib/queue';
import { actionFor, resolveBindings } from '../lib/shortcuts';
import { matchesWords, queryWords } from '../lib/text';
import { usePlayer } from '../stores/player';
import { useSettings } from '../stores/settings';
import { useUi } from '../stores/ui';
import { Cover } from './Cover';
import classes from './QueuePanel.module.css';

const player = () => usePlayer.getState();

function Row({ track, extra, current }: { track: Track; extra?: React.ReactNode; current?: boolean }) {
  return (
    <>
      <span className={classes.thumb}>
        <Cover coverId={track.cover_id} alt="" size={48} radius={4} />
      </span>
      <span className={classes.text}>
        <Text size="sm" fw={500} truncate="end" c={current ? 'tonearm' : undefined}>
          {track.title}
        </Text>
        <Text size="xs" c="dimmed" truncate="end">
          {track.artist}
        </Text>
      </span>
      <Text size="xs" c="dimmed" className={classes.time}>
        {formatTime(track.duration)}
      </Text>
      {extra}
    </>
  );
}

/** The ⋮ menu of a queued entry. The personal queue plays right after the current track, so
 * its top is "Play next": one item for both (as in Feishin's queue, minus the history).
 * `index` and `count` are the entry's place in the whole queue, whatever a filter hides. */
function EntryMenu({ entry, index, count }: { entry: QueueEntry; index: number; count: number }) {
  const title = entry.track?.title ?? '';
  const move = (to: number) => attempt(() => player().queueMove(entry.entry_id, to), 'Cannot reorder the queue');
  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={200}>
      <Menu.Target>
        <ActionIcon size="sm" aria-label={`More for ${title}`} data-testid="queue-entry-menu">
          <IconDots size={14} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          leftSection={<IconPlayerPlay size={16} />}
          onClick={() => attempt(() => player().queuePlay(entry.entry_id), 'Cannot play')}
        >
          Play
        </Menu.Item>
        {index > 0 && (
          <Menu.Item leftSection={<IconPlayerTrackNext size={16} />} onClick={() => move(0)}>
            Play next
          </Menu.Item>
        )}
        {index < count - 1 && (
          <Menu.Item leftSection={<IconArrowBarToDown size={16} />} onClick={() => move(count - 1)}>
            Move to bottom
          </Menu.Item>
        )}
        <Menu.Item
          color="red"
          leftSection={<IconTrash size={16} />}
          onClick={() => attempt(() => player().queueRemove(entry.entry_id))}
        >
          Remove from queue
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

interface RowProps {
  entry: QueueEntry;
  index: number;
  count: number;
  selected: boolean;
  /** Moves along with the row being dragged (the rest of the selection). */
  carried: boolean;
  /** How many rows this row's drag moves (shown on it while dragged). */
  dragCount: number;
  sortable: boolean;
  onSelect(entryId: number, event: MouseEvent): void;
}

function QueueRow({ entry, index, count, selected, carried, dragCount, sortable, onSelect }: RowProps) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: entry.entry_id,
    disabled: !sortable,
  });
  if (!entry.track) return null;
  return (
    <div
      ref={setNodeRef}
      className={classes.row}
      data-dragging={isDragging || undefined}
      data-selected={selected || undefined}
      data-carried={carried || undefined}
      data-testid="queue-entry"
      data-track-id={entry.track.id}
      data-entry-id={entry.entry_id}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      // The whole row drags with the pointer (a click without moving still selects); only the
      // grip takes the keyboard, so Space and Enter on the row's buttons stay clicks.
      onPointerDown={listeners?.onPointerDown as PointerEventHandler | undefined}
      onClick={(event) => {
        if ((event.target as HTMLElement).closest('button, a, input, [role="menuitem"]')) return;
        onSelect(entry.entry_id, event);
      }}
      onDoubleClick={(event) => {
        if ((event.target as HTMLElement).closest('button, a, input, [role="menuitem"]')) return;
        attempt(() => player().queuePlay(entry.entry_id), 'Cannot play');
      }}
    >
      <span
        ref={setActivatorNodeRef}
        className={classes.grip}
        {...attributes}
        onKeyDown={listeners?.onKeyDown as KeyboardEventHandler | undefined}
        aria-label={`Move ${entry.track.title}`}
      >
        {isDragging && dragCount > 1 ? (
          <Badge size="xs" circle data-testid="queue-drag-count">
            {dragCount}
          </Badge>
        ) : (
          <IconGripVertical size={16} />
        )}
      </span>
      <Row
        track={entry.track}
        extra={
          <>
            <EntryMenu entry={entry} index={index} count={count} />
            <ActionIcon
              size="sm"
              aria-label={`Remove ${entry.track.title} from the queue`}
              data-testid="queue-remove"
              onClick={() => attempt(() => player().queueRemove(entry.entry_id))}
            >
              <IconX size={14} />
            </ActionIcon>
          </>
        }
      />
    </div>
  );
}

const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function QueuePanel() {
  const state = usePlayer((s) => s.state);
  const track = usePlayer((s) => s.track);
  const playing = usePlayer((s) => s.playing);
  const close = useUi((s) => s.toggleQueue);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const [filter, setFilter] = useState('');
  const [selection, setSelection] = useState<Selection<number>>(emptySelection);
  const [dragging, setDragging] = useState<number | null>(null);
  const drop = useDropTarget(dropOnQueue);

  const queue = useMemo(() => state?.queue ?? [], [state]);
  const ids = queue.map((e) => e.entry_id);
  const words = queryWords(filter);
  const filtering = words.length > 0;
  const visible = useMemo(() => filterQueue(queue, filter), [queue, filter]);
  const visibleIds = visible.map((v) => v.entry.entry_id);
  const nextTracks = (state?.next_tracks ?? []).filter((t) => matchesWords(words, [t.title, t.artist, t.album]));
  // Rows played or removed meanwhile (elsewhere too) are no longer selected.
  const selected = keepSelected(selection, visibleIds);
  const selectedIds = selectedInOrder(selected, visibleIds);

  // What the filter hides stays unselected when it shows again: Delete never takes unseen rows.
  const changeFilter = (value: string) => {
    setFilter(value);
    setSelection(keepSelected(selected, filterQueue(queue, value).map((v) => v.entry.entry_id)));
  };

  const onSelect = (entryId: number, event: MouseEvent) => {
    const mods = { toggle: MAC ? event.metaKey : event.ctrlKey || event.metaKey, range: event.shiftKey };
    setSelection(clickSelect(selected, entryId, visibleIds, mods));
  };

  const removeSelected = () => {
    const gone = selectedIds;
    if (gone.length === 0) return;
    setSelection(emptySelection());
    attempt(() => player().queueRemoveMany(gone), 'Cannot remove from the queue');
  };

  const onListKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.defaultPrevented || dragging !== null) return;
    const action = actionFor(event, resolveBindings(useSettings.getState().settings.shortcuts), 'queue');
    if (action === 'queue_remove') {
      if (selectedIds.length === 0) return;
      event.preventDefault();
      removeSelected();
    } else if (action === 'queue_clear_selection' && selectedIds.length > 0) {
      event.preventDefault();
      setSelection(emptySelection());
    } else if (action === 'queue_select_all') {
      event.preventDefault();
      setSelection({ ids: new Set(visibleIds), anchor: visibleIds[0] ?? null });
    }
  };

  const onDragStart = ({ active }: DragStartEvent) => {
    const id = Number(active.id);
    // Dragging a row outside the selection drags that row alone, and selects it.
    if (!selected.ids.has(id)) setSelection({ ids: new Set([id]), anchor: id });
    setDragging(id);
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    setDragging(null);
    if (!over || active.id === over.id) return;
    const id = Number(active.id);
    const from = ids.indexOf(id);
    const to = ids.indexOf(Number(over.id));
    if (from < 0 || to < 0) return;
    const moving = selected.ids.has(id) ? selected.ids : new Set([id]);
    const order = moveBlock(ids, moving, dropGap(from, to));
    attempt(() => player().queueReorder(order), 'Cannot reorder the queue');
  };

  const draggedCount = dragging !== null && selected.ids.has(dragging) ? selected.ids.size : 1;
  const contextName = state?.context ? `Next from this ${state.context.type}` : 'Next up';

  return (
    <div className={classes.panel} data-testid="queue-panel" data-drop-over={drop.over || undefined} {...drop.props}>
      <Group justify="space-between" px="md" pt="md" pb="xs">
        <Title order={4}>Queue</Title>
        <CloseButton aria-label="Close the queue" onClick={close} />
      </Group>
      <TextInput
        px="md"
        pb="xs"
        size="xs"
        value={filter}
        onChange={(e) => changeFilter(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && filter) {
            e.preventDefault();
            e.stopPropagation();
            changeFilter('');
          }
        }}
        placeholder="Filter by title, artist or album"
        aria-label="Filter the queue"
        data-testid="queue-filter"
        leftSection={<IconSearch size={14} />}
        rightSection={
          filter ? <CloseButton size="sm" aria-label="Clear the filter" onClick={() => changeFilter('')} /> : null
        }
      />
      {drop.over && (
        <Text className={classes.dropHint} data-testid="queue-drop-hint">
          {dropPlays(state, playing) ? 'Drop to play' : 'Drop to add to the queue'}
        </Text>
      )}
      <ScrollArea className={classes.scroll} type="auto">
        <Stack gap={18} px="sm" pb="md">
          <section>
            <Text className={classes.heading}>Now playing</Text>
            {track ? (
              <div className={classes.row} data-current>
                <span className={classes.grip} />
                <Row track={track} current />
              </div>
            ) : (
              <Text size="sm" c="dimmed" px="xs">
                Nothing yet. Pick an album and press play.
              </Text>
            )}
          </section>
          <section>
            <Group justify="space-between" wrap="nowrap" className={classes.headingRow}>
              <Text className={classes.heading}>Next in queue</Text>
              {selectedIds.length > 1 && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="red"
                  leftSection={<IconTrash size={12} />}
                  onClick={removeSelected}
                  data-testid="queue-remove-selected"
                >
                  Remove {selectedIds.length}
                </Button>
              )}
            </Group>
            {filtering && (
              <Text size="xs" c="dimmed" px="xs" pb={6} data-testid="queue-filter-hint">
                {visible.length} of {plural(queue.length, 'track')} match. Clear the filter to reorder by dragging.
              </Text>
            )}
            {queue.length === 0 ? (
              <Text size="sm" c="dimmed" px="xs">
                Tracks you add with “Play next” or “Add to queue”, or drop here, play before the rest.
              </Text>
            ) : visible.length === 0 ? (
              <Text size="sm" c="dimmed" px="xs">
                No queued track matches “{filter.trim()}”.
              </Text>
            ) : (
              <div
                className={classes.list}
                tabIndex={0}
                aria-label={`Queued tracks${selectedIds.length ? `, ${selectedIds.length} selected` : ''}`}
                data-testid="queue-list"
                onKeyDown={onListKey}
              >
                <DndContext
                  sensors={sensors}
                  collisionDetection={closestCenter}
                  onDragStart={onDragStart}
                  onDragEnd={onDragEnd}
                  onDragCancel={() => setDragging(null)}
                >
                  <SortableContext items={visibleIds} strategy={verticalListSortingStrategy}>
                    {visible.map(({ entry, index }) => (
                      <QueueRow
                        key={entry.entry_id}
                        entry={entry}
                        index={index}
                        count={queue.length}
                        selected={selected.ids.has(entry.entry_id)}
                        carried={draggedCount > 1 && dragging !== entry.entry_id && selected.ids.has(entry.entry_id)}
                        dragCount={draggedCount}
                        sortable={!filtering}
                        onSelect={onSelect}
                      />
                    ))}
                  </SortableContext>
                </DndContext>
              </div>
            )}
          </section>
          {nextTracks.length > 0 && (
            <section>
              <Text className={classes.heading}>{contextName}</Text>
              {nextTracks.map((t, i) => (
                <div key={`${t.id}-${i}`} className={classes.row} data-testid="next-track">
                  <span className={classes.grip} />
                  <Row track={t} />
                </div>
              ))}
            </section>
          )}
        </Stack>
      </ScrollArea>
    </div>
  );
}
