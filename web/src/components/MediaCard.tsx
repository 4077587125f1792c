import { ActionIcon, Text } from '@mantine/core';
import { IconPlayerPlayFilled } from '@tabler/icons-react';
import type { DragEvent, ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { DRAG_TYPE, type DragItems, encodeItems } from '../lib/drag';
import { attempt } from '../lib/notify';
import { Cover } from './Cover';
import classes from './MediaCard.module.css';

interface Props {
  to: string;
  title: string;
  subtitle?: ReactNode;
  coverId?: string | null;
  /** Drawn instead of a cover (artists). */
  art?: ReactNode;
  onPlay?: () => Promise<unknown>;
  testId?: string;
  /** What dragging the card carries to a playlist or the queue (none: not draggable). */
  drag?: DragItems;
}

/** Hand the items to the drag, with the card's art as its picture. */
function startDrag(event: DragEvent<HTMLDivElement>, items: DragItems): void {
  event.dataTransfer.setData(DRAG_TYPE, encodeItems(items));
  event.dataTransfer.effectAllowed = 'copy';
  const art = event.currentTarget.querySelector<HTMLElement>(`.${classes.art}`);
  if (art) event.dataTransfer.setDragImage(art, art.offsetWidth / 2, art.offsetHeight / 2);
}

/** A uniform card: square art box, one line of title, one of subtitle. */
export function MediaCard({ to, title, subtitle, coverId, art, onPlay, testId, drag }: Props) {
  return (
    <div
      className={classes.card}
      data-testid={testId ?? 'media-card'}
      draggable={drag ? true : undefined}
      onDragStart={drag ? (event) => startDrag(event, drag) : undefined}
    >
      <div className={classes.artWrap}>
        <Link to={to} className={classes.link} aria-label={title}>
          <div className={classes.art}>
            {art ?? <Cover coverId={coverId} alt="" />}
            <div className={classes.overlay} />
          </div>
        </Link>
        {onPlay && (
          <ActionIcon
            className={classes.play}
            variant="filled"
            color="tonearm"
            radius="xl"
            aria-label={`Play ${title}`}
            onClick={() => attempt(onPlay, 'Cannot play')}
          >
            <IconPlayerPlayFilled size="45%" />
          </ActionIcon>
        )}
      </div>
      <Link to={to} className={classes.text}>
        <Text fw={600} size="sm" truncate="end" title={title}>
          {title}
        </Text>
        {subtitle && (
          <Text size="xs" c="dimmed" truncate="end">
            {subtitle}
          </Text>
        )}
      </Link>
    </div>
  );
}
