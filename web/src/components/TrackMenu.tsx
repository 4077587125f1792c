import { ActionIcon, Menu } from '@mantine/core';
import {
  IconDisc,
  IconDots,
  IconDownload,
  IconHeart,
  IconHeartBroken,
  IconInfoCircle,
  IconMicrophone2,
  IconPlayerTrackNext,
  IconPlaylistAdd,
  IconPlus,
  IconSparkles,
  IconTrash,
  IconUsersGroup,
} from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, downloadUrl } from '../api';
import type { Playlist, Track } from '../api/types';
import { attempt, notifyDone } from '../lib/notify';
import { toggleFavourite, useFavourite, useFavourites } from '../stores/favourites';
import { useParty } from '../stores/party';
import { usePlayer } from '../stores/player';
import { playlistChanged } from '../stores/ui';
import { TrackInfo } from './TrackInfo';

interface Props {
  track: Track;
  onRemove?: () => void;
  removeLabel?: string;
  /** Controlled from outside (a right-click on the row opens it); else it keeps its own. */
  opened?: boolean;
  onChange?(opened: boolean): void;
}

/** The ⋮ menu of a track: play next, add to queue, favourite, add to a playlist, similar
 *  tracks, go to album/artist, info, download. */
export function TrackMenu({ track, onRemove, removeLabel = 'Remove', opened, onChange }: Props) {
  const navigate = useNavigate();
  const [playlists, setPlaylists] = useState<Playlist[] | null>(null);
  const [own, setOwn] = useState(false);
  const [info, setInfo] = useState(false);
  const open = opened ?? own;
  useEffect(() => {
    if (open) attempt(async () => setPlaylists((await api.playlists()).items));
  }, [open]);
  const favourite = useFavourite('tracks', track.id, track.favourite);
  // Tracks of the player's state (the queue) come without their flag: ask when the menu opens.
  useEffect(() => {
    if (open && favourite === undefined) void useFavourites.getState().ensureTrack(track.id).catch(() => undefined);
  }, [open, favourite, track.id]);
  // A listen-party member suggests to the host's queue (when the host allows it).
  const canSuggest = useParty((s) => Boolean(s.party && !s.party.you_are_host && s.party.allow_suggestions));
  const queue = (mode: 'next' | 'last') =>
    attempt(async () => {
      await usePlayer.getState().queueAdd(track.id, mode);
      notifyDone(mode === 'next' ? `“${track.title}” plays next` : `Added “${track.title}” to the queue`);
    }, 'Cannot queue');
  return (
    <>
      <Menu
        position="bottom-end"
        withinPortal
        shadow="md"
        width={220}
        opened={open}
        onChange={onChange ?? setOwn}
      >
        <Menu.Target>
          <ActionIcon aria-label={`More for ${track.title}`} data-testid="track-menu" onClick={(e) => e.stopPropagation()}>
            <IconDots size={18} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown onClick={(e) => e.stopPropagation()}>
          <Menu.Item leftSection={<IconPlayerTrackNext size={16} />} onClick={() => queue('next')}>
            Play next
          </Menu.Item>
          <Menu.Item leftSection={<IconPlaylistAdd size={16} />} onClick={() => queue('last')}>
            Add to queue
          </Menu.Item>
          {canSuggest && (
            <Menu.Item
              leftSection={<IconUsersGroup size={16} />}
              onClick={() =>
                attempt(async () => {
                  await useParty.getState().suggest(track.id);
                  notifyDone(`Suggested “${track.title}” to the host`);
                }, 'Cannot suggest')
              }
            >
              Suggest to the party
            </Menu.Item>
          )}
          <Menu.Item
            leftSection={favourite ? <IconHeartBroken size={16} /> : <IconHeart size={16} />}
            disabled={favourite === undefined}
            data-testid="track-menu-favourite"
            onClick={() => {
              if (favourite === undefined) return;
              attempt(() => toggleFavourite('tracks', track.id, favourite), 'Cannot change your favourites');
            }}
          >
            {favourite ? 'Remove from favourites' : 'Add to favourites'}
          </Menu.Item>
          <Menu.Divider />
          <Menu.Label>Add to playlist</Menu.Label>
          {(playlists ?? []).slice(0, 8).map((p) => (
            <Menu.Item
              key={p.id}
              leftSection={<IconPlus size={16} />}
              onClick={() =>
                attempt(async () => {
                  await api.addToPlaylist(p.id, [track.id]);
                  playlistChanged(p.id);
                  notifyDone(`Added to ${p.name}`);
                })
              }
            >
              {p.name}
            </Menu.Item>
          ))}
          <Menu.Item
            leftSection={<IconPlus size={16} />}
            onClick={() =>
              attempt(async () => {
                const name = window.prompt('Name of the new playlist', `${track.title} mix`);
                if (!name?.trim()) return;
                const created = await api.createPlaylist(name.trim(), [track.id]);
                notifyDone(`Created ${created.name}`);
              })
            }
          >
            New playlist…
          </Menu.Item>
          <Menu.Divider />
          <Menu.Item leftSection={<IconSparkles size={16} />} onClick={() => navigate(`/tracks/${track.id}/similar`)}>
            Similar tracks
          </Menu.Item>
          <Menu.Item leftSection={<IconDisc size={16} />} onClick={() => navigate(`/albums/${track.album_id}`)}>
            Go to album
          </Menu.Item>
          {track.artists[0] && (
            <Menu.Item leftSection={<IconMicrophone2 size={16} />} onClick={() => navigate(`/artists/${track.artists[0].id}`)}>
              Go to artist
            </Menu.Item>
          )}
          <Menu.Divider />
          <Menu.Item leftSection={<IconInfoCircle size={16} />} onClick={() => setInfo(true)} data-testid="track-menu-info">
            Info
          </Menu.Item>
          <Menu.Item
            component="a"
            href={downloadUrl(track.id)}
            download
            leftSection={<IconDownload size={16} />}
            data-testid="track-menu-download"
          >
            Download
          </Menu.Item>
          {onRemove && (
            <>
              <Menu.Divider />
              <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={onRemove}>
                {removeLabel}
              </Menu.Item>
            </>
          )}
        </Menu.Dropdown>
      </Menu>
      {info && (
        // The dialog is a portal, but React bubbles its events through here to the track's row:
        // a click or double-click in it must not select or play the row.
        <div
          style={{ display: 'contents' }}
          onClick={(e) => e.stopPropagation()}
          onDoubleClick={(e) => e.stopPropagation()}
          onContextMenu={(e) => e.stopPropagation()}
          onPointerDown={(e) => e.stopPropagation()}
        >
          <TrackInfo trackId={track.id} title={track.title} onClose={() => setInfo(false)} />
        </div>
      )}
    </>
  );
}
