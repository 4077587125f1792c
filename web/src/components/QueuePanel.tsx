import { DndContext, type DragEndEvent, KeyboardSensor, PointerSensor, closestCenter, useSensor, useSensors } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { ActionIcon, CloseButton, Group, Menu, ScrollArea, Stack, Text, Title } from '@mantine/core';
import {
  IconArrowBarToDown,
  IconDots,
  IconGripVertical,
  IconPlayerTrackNext,
  IconTrash,
  IconX,
} from '@tabler/icons-react';
import type { QueueEntry, Track } from '../api/types';
import { formatTime } from '../lib/format';
import { attempt } from '../lib/notify';
import { usePlayer } from '../stores/player';
import { useUi } from '../stores/ui';
import { Cover } from './Cover';
import classes from './QueuePanel.module.css';

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
 * its top is "Play next": one item for both (as in Feishin's queue, minus the history). */
function EntryMenu({ entry, index, count }: { entry: QueueEntry; index: number; count: number }) {
  const title = entry.track?.title ?? '';
  const move = (to: number) =>
    attempt(() => usePlayer.getState().queueMove(entry.entry_id, to), 'Cannot reorder the queue');
  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={200}>
      <Menu.Target>
        <ActionIcon size="sm" aria-label={`More for ${title}`} data-testid="queue-entry-menu">
          <IconDots size={14} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
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
          onClick={() => attempt(() => usePlayer.getState().queueRemove(entry.entry_id))}
        >
          Remove from queue
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function QueueRow({ entry, index, count }: { entry: QueueEntry; index: number; count: number }) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id: entry.entry_id });
  if (!entry.track) return null;
  return (
    <div
      ref={setNodeRef}
      className={classes.row}
      data-dragging={isDragging || undefined}
      data-testid="queue-entry"
      data-track-id={entry.track.id}
      style={{ transform: CSS.Transform.toString(transform), transition }}
    >
      <span className={classes.grip} {...attributes} {...listeners} aria-label={`Move ${entry.track.title}`}>
        <IconGripVertical size={16} />
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
              onClick={() => attempt(() => usePlayer.getState().queueRemove(entry.entry_id))}
            >
              <IconX size={14} />
            </ActionIcon>
          </>
        }
      />
    </div>
  );
}

export function QueuePanel() {
  const state = usePlayer((s) => s.state);
  const track = usePlayer((s) => s.track);
  const close = useUi((s) => s.toggleQueue);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const queue = state?.queue ?? [];
  const ids = queue.map((e) => e.entry_id);

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    const from = ids.indexOf(Number(active.id));
    const to = ids.indexOf(Number(over.id));
    if (from < 0 || to < 0) return;
    attempt(() => usePlayer.getState().queueMove(Number(active.id), to), 'Cannot reorder the queue');
  };

  const contextName = state?.context ? `Next from this ${state.context.type}` : 'Next up';

  return (
    <div className={classes.panel} data-testid="queue-panel">
      <Group justify="space-between" px="md" pt="md" pb="xs">
        <Title order={4}>Queue</Title>
        <CloseButton aria-label="Close the queue" onClick={close} />
      </Group>
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
            <Text className={classes.heading}>Next in queue</Text>
            {queue.length === 0 ? (
              <Text size="sm" c="dimmed" px="xs">
                Tracks you add with “Play next” or “Add to queue” play before the rest.
              </Text>
            ) : (
              <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
                <SortableContext items={ids} strategy={verticalListSortingStrategy}>
                  {queue.map((entry, i) => (
                    <QueueRow key={entry.entry_id} entry={entry} index={i} count={queue.length} />
                  ))}
                </SortableContext>
              </DndContext>
            )}
          </section>
          {state && state.next_tracks.length > 0 && (
            <section>
              <Text className={classes.heading}>{contextName}</Text>
              {state.next_tracks.map((t, i) => (
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
