import { Button, Stack, Title } from '@mantine/core';
import { IconArrowsShuffle, IconPlayerPlayFilled } from '@tabler/icons-react';
import { useParams } from 'react-router-dom';
import { api } from '../api';
import { CardGrid } from '../components/CardGrid';
import { AlbumCard, ArtistArt } from '../components/cards';
import { FavouriteButton } from '../components/FavouriteButton';
import { Hero } from '../components/Hero';
import { Loadable } from '../components/Loadable';
import { TrackList } from '../components/TrackList';
import { useAsync } from '../hooks/useAsync';
import { plural } from '../lib/format';
import { attempt } from '../lib/notify';
import { usePlayer } from '../stores/player';

export function ArtistPage() {
  const id = Number(useParams().id);
  const artist = useAsync(() => api.artist(id), [id]);
  const tracks = useAsync(() => api.tracks({ artist_id: id, limit: 10 }), [id]);
  const play = (startTrackId?: number, shuffle?: boolean) =>
    usePlayer.getState().playContext({ type: 'artist', id }, startTrackId, shuffle);
  return (
    <Loadable state={artist}>
      {({ artist: a, albums }) => (
        <Stack gap={36}>
          <Hero
            art={<ArtistArt name={a.name} />}
            kind="Artist"
            title={a.name}
            meta={`${plural(a.album_count, 'album')} · ${plural(a.track_count, 'track')}`}
            actions={
              <>
                <Button size="md" radius="xl" leftSection={<IconPlayerPlayFilled size={18} />} onClick={() => attempt(() => play(undefined, false), 'Cannot play')}>
                  Play
                </Button>
                <Button size="md" radius="xl" variant="default" leftSection={<IconArrowsShuffle size={18} />} onClick={() => attempt(() => play(undefined, true), 'Cannot play')}>
                  Shuffle
                </Button>
                <FavouriteButton
                  kind="artists"
                  id={a.id}
                  flag={a.favourite}
                  name={a.name}
                  size={42}
                  iconSize={20}
                  variant="default"
                  radius="xl"
                  testId="favourite-artist"
                />
              </>
            }
          />
          {tracks.data && tracks.data.items.length > 0 && (
            <section>
              <Title order={3} size="h4" mb="sm">
                Tracks
              </Title>
              <TrackList tracks={tracks.data.items} onPlay={(t) => play(t.id)} showAlbum showCover numbered />
            </section>
          )}
          <section>
            <Title order={3} size="h4" mb="md">
              Albums
            </Title>
            <CardGrid>
              {albums.map((al) => (
                <AlbumCard key={al.id} album={al} />
              ))}
            </CardGrid>
          </section>
        </Stack>
      )}
    </Loadable>
  );
}
