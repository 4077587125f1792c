import { Text, UnstyledButton } from '@mantine/core';
import { IconPlayerPlayFilled, IconVolume } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router-dom';
import type { Track } from '../api/types';
import { DRAG_TYPE, encodeItems } from '../lib/drag';
import { formatTime } from '../lib/format';
import { attempt } from '../lib/notify';
import { usePlayer } from '../stores/player';
import { Cover } from './Cover';
import classes from './TrackList.module.css';
import { TrackMenu } from './TrackMenu';

interface Props {
  tracks: Track[];
  /** Plays the list from a track (the page decides the context). */
  onPlay(track: Track): Promise<unknown>;
  showAlbum?: boolean;
  showCover?: boolean;
  /** Number the rows by their place in the list instead of the track number. */
  numbered?: boolean;
  onRemove?(track: Track, index: number): void;
  /** Extra line under a row's artists (e.g. why a track was recommended). */
  detail?(track: Track, index: number): ReactNode;
}

export function TrackList({ tracks, onPlay, showAlbum = false, showCover = false, numbered = false, onRemove, detail }: Props) {
  const currentId = usePlayer((s) => s.track?.id);
  const playing = usePlayer((s) => s.playing);
  // The row whose menu is open: its ⋮ button, or a right-click anywhere on the row.
  const [menuFor, setMenuFor] = useState<number | null>(null);
  return (
    <div className={classes.list} role="table" data-testid="track-list">
      <div className={`${classes.row} ${classes.head}`} role="row" data-album={showAlbum || undefined}>
        <span>#</span>
        <span>Title</span>
        {showAlbum && <span className={classes.album}>Album</span>}
        <span className={classes.time}>Time</span>
        <span />
      </div>
      {tracks.map((track, index) => {
        const current = track.id === currentId;
        return (
          <div
            key={`${track.id}-${index}`}
            className={classes.row}
            role="row"
            data-current={current || undefined}
            data-album={showAlbum || undefined}
            data-testid="track-row"
            // Dragged onto a playlist in the sidebar or onto the queue panel, the track is added there.
            draggable
            onDragStart={(e) => {
              e.dataTransfer.setData(DRAG_TYPE, encodeItems({ kind: 'tracks', ids: [track.id], title: track.title }));
              e.dataTransfer.effectAllowed = 'copy';
            }}
            onDoubleClick={() => attempt(() => onPlay(track), 'Cannot play')}
            onContextMenu={(e) => {
              if ((e.target as HTMLElement).closest('a')) return; // a link keeps the browser's menu
              e.preventDefault();
              setMenuFor(index);
            }}
          >
            <span className={classes.num}>
              <span className={classes.numText}>
                {current && playing ? <IconVolume size={16} /> : numbered ? index + 1 : (track.track_no ?? index + 1)}
              </span>
              <UnstyledButton
                className={classes.playBtn}
                aria-label={`Play ${track.title}`}
                onClick={() => attempt(() => onPlay(track), 'Cannot play')}
              >
                <IconPlayerPlayFilled size={14} />
              </UnstyledButton>
            </span>
            <span className={classes.title}>
              {showCover && (
                <span className={classes.thumb}>
                  <Cover coverId={track.cover_id} alt="" size={48} radius={4} />
                </span>
              )}
              <span className={classes.titleText}>
                <Text size="sm" fw={500} truncate="end" c={current ? 'tonearm' : undefined}>
                  {track.title}
                </Text>
                <Text size="xs" c="dimmed" truncate="end">
                  {track.artists.length
                    ? track.artists.map((a, i) => (
                        <span key={a.id}>
                          {i > 0 && ', '}
                          <Link className={classes.sublink} to={`/artists/${a.id}`}>
                            {a.name}
                          </Link>
                        </span>
                      ))
                    : track.artist}
                </Text>
                {detail?.(track, index)}
              </span>
            </span>
            {showAlbum && (
              <Text size="sm" c="dimmed" truncate="end" className={classes.album}>
                <Link className={classes.sublink} to={`/albums/${track.album_id}`}>
                  {track.album}
                </Link>
              </Text>
            )}
            <Text size="sm" c="dimmed" className={classes.time}>
              {formatTime(track.duration)}
            </Text>
            <span className={classes.menu}>
              <TrackMenu
                track={track}
                opened={menuFor === index}
                onChange={(o) => setMenuFor(o ? index : null)}
                onRemove={onRemove ? () => onRemove(track, index) : undefined}
                removeLabel="Remove from playlist"
              />
            </span>
          </div>
        );
      })}
    </div>
  );
}
