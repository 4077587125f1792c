import { DndContext, type DragEndEvent, KeyboardSensor, PointerSensor, closestCenter, useSensor, useSensors } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { ActionIcon, CloseButton, Group, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { IconGripVertical, IconX } from '@tabler/icons-react';
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

function QueueRow({ entry }: { entry: QueueEntry }) {
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
          <ActionIcon
            size="sm"
            aria-label={`Remove ${entry.track.title} from the queue`}
            data-testid="queue-remove"
            onClick={() => attempt(() => usePlayer.getState().queueRemove(entry.entry_id))}
          >
            <IconX size={14} />
          </ActionIcon>
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
                  {queue.map((entry) => (
                    <QueueRow key={entry.entry_id} entry={entry} />
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
