import { Anchor, Button } from '@mantine/core';
import { IconArrowsShuffle, IconPlayerPlayFilled } from '@tabler/icons-react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api';
import { Cover } from '../components/Cover';
import { FavouriteButton } from '../components/FavouriteButton';
import { Hero } from '../components/Hero';
import { Loadable } from '../components/Loadable';
import { TrackList } from '../components/TrackList';
import { useAsync } from '../hooks/useAsync';
import { formatLength, plural } from '../lib/format';
import { attempt } from '../lib/notify';
import { usePlayer } from '../stores/player';

export function AlbumPage() {
  const id = Number(useParams().id);
  const album = useAsync(() => api.album(id), [id]);
  const play = (startTrackId?: number, shuffle?: boolean) =>
    usePlayer.getState().playContext({ type: 'album', id }, startTrackId, shuffle);
  return (
    <Loadable state={album}>
      {(a) => (
        <>
          <Hero
            art={<Cover coverId={a.cover_id} alt={a.title} size={464} />}
            kind={a.compilation ? 'Compilation' : 'Album'}
            title={a.title}
            meta={
              <>
                {a.album_artist_id ? (
                  <Anchor component={Link} to={`/artists/${a.album_artist_id}`} fw={600} c="var(--mantine-color-text)">
                    {a.album_artist}
                  </Anchor>
                ) : (
                  <b>{a.album_artist}</b>
                )}
                {a.year ? ` · ${a.year}` : ''} · {plural(a.track_count, 'track')}, {formatLength(a.duration)}
                {a.genres.length > 0 && ` · ${a.genres.slice(0, 3).join(', ')}`}
              </>
            }
            actions={
              <>
                <Button
                  size="md"
                  radius="xl"
                  leftSection={<IconPlayerPlayFilled size={18} />}
                  onClick={() => attempt(() => play(undefined, false), 'Cannot play')}
                  data-testid="play-album"
                >
                  Play
                </Button>
                <Button
                  size="md"
                  radius="xl"
                  variant="default"
                  leftSection={<IconArrowsShuffle size={18} />}
                  onClick={() => attempt(() => play(undefined, true), 'Cannot play')}
                >
                  Shuffle
                </Button>
                <FavouriteButton
                  kind="albums"
                  id={a.id}
                  flag={a.favourite}
                  name={a.title}
                  size={42}
                  iconSize={20}
                  variant="default"
                  radius="xl"
                  testId="favourite-album"
                />
              </>
            }
          />
          <TrackList tracks={a.tracks ?? []} onPlay={(t) => play(t.id)} />
        </>
      )}
    </Loadable>
  );
}
