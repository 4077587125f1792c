import { Button, Menu } from '@mantine/core';
import { IconDots, IconPencil, IconPlayerPlayFilled, IconTrash } from '@tabler/icons-react';
import { useNavigate, useParams } from 'react-router-dom';
import { api } from '../api';
import { Cover } from '../components/Cover';
import { Hero } from '../components/Hero';
import { Empty, Loadable } from '../components/Loadable';
import { TrackList } from '../components/TrackList';
import { useAsync } from '../hooks/useAsync';
import { formatLength, plural } from '../lib/format';
import { attempt, notifyDone } from '../lib/notify';
import { usePlayer } from '../stores/player';
import { useUi } from '../stores/ui';

export function PlaylistPage() {
  const id = Number(useParams().id);
  // A drop on its sidebar entry or a track menu's "Add to playlist" bumps this: load it again.
  const version = useUi((s) => s.playlistVersions[id] ?? 0);
  const playlist = useAsync(() => api.playlist(id), [id, version]);
  const navigate = useNavigate();
  const play = (startTrackId?: number) => usePlayer.getState().playContext({ type: 'playlist', id }, startTrackId);
  return (
    <Loadable state={playlist}>
      {(p) => {
        const tracks = p.tracks ?? [];
        return (
          <>
            <Hero
              art={<Cover coverId={p.cover_id} alt={p.name} size={464} />}
              kind="Playlist"
              title={p.name}
              meta={`${plural(p.track_count, 'track')}, ${formatLength(p.duration)}`}
              actions={
                <>
                  <Button
                    size="md"
                    radius="xl"
                    leftSection={<IconPlayerPlayFilled size={18} />}
                    disabled={tracks.length === 0}
                    onClick={() => attempt(() => play(), 'Cannot play')}
                  >
                    Play
                  </Button>
                  <Menu position="bottom-start">
                    <Menu.Target>
                      <Button size="md" radius="xl" variant="default" aria-label="More">
                        <IconDots size={18} />
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item
                        leftSection={<IconPencil size={16} />}
                        onClick={() =>
                          attempt(async () => {
                            const name = window.prompt('New name', p.name);
                            if (!name?.trim()) return;
                            playlist.setData(await api.updatePlaylist(id, { name: name.trim() }));
                          })
                        }
                      >
                        Rename
                      </Menu.Item>
                      <Menu.Item
                        color="red"
                        leftSection={<IconTrash size={16} />}
                        onClick={() =>
                          attempt(async () => {
                            if (!window.confirm(`Delete the playlist “${p.name}”?`)) return;
                            await api.deletePlaylist(id);
                            notifyDone(`Deleted ${p.name}`);
                            navigate('/playlists');
                          })
                        }
                      >
                        Delete playlist
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                </>
              }
            />
            {tracks.length === 0 ? (
              <Empty title="This playlist is empty">Add tracks from any track’s ⋯ menu.</Empty>
            ) : (
              <TrackList
                tracks={tracks}
                onPlay={(t) => play(t.id)}
                showAlbum
                showCover
                numbered
                onRemove={(_t, index) =>
                  attempt(async () => {
                    const ids = tracks.map((t) => t.id).filter((_, i) => i !== index);
                    playlist.setData(await api.updatePlaylist(id, { track_ids: ids }));
                  })
                }
              />
            )}
          </>
        );
      }}
    </Loadable>
  );
}
