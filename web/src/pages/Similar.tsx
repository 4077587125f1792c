import { Button } from '@mantine/core';
import { IconPlayerPlayFilled } from '@tabler/icons-react';
import { useParams } from 'react-router-dom';
import { api } from '../api';
import { Cover } from '../components/Cover';
import { Hero } from '../components/Hero';
import { Loadable } from '../components/Loadable';
import { SimilarTracks } from '../components/SimilarTracks';
import { useAsync } from '../hooks/useAsync';
import { plural } from '../lib/format';
import { attempt } from '../lib/notify';
import { usePlayer } from '../stores/player';

/** Tracks like one track (its ⋯ menu → Similar tracks); plays them as a list of tracks. */
export function SimilarPage() {
  const id = Number(useParams().id);
  const page = useAsync(async () => {
    const [seed, similar] = await Promise.all([api.track(id), api.similar(id)]);
    return { seed, similar };
  }, [id]);
  return (
    <Loadable state={page}>
      {({ seed, similar }) => {
        const ids = similar.items.map((t) => t.id);
        const play = (start?: number) => usePlayer.getState().playContext({ type: 'tracks', track_ids: ids }, start);
        return (
          <>
            <Hero
              art={<Cover coverId={seed.cover_id} alt={seed.album} size={464} />}
              kind="Similar tracks"
              title={seed.title}
              meta={`Like ${seed.title} by ${seed.artist} · ${plural(ids.length, 'track')}`}
              actions={
                <Button
                  size="md"
                  radius="xl"
                  leftSection={<IconPlayerPlayFilled size={18} />}
                  disabled={ids.length === 0}
                  onClick={() => attempt(() => play(), 'Cannot play')}
                >
                  Play
                </Button>
              }
            />
            <SimilarTracks result={similar} onPlay={(t) => play(t.id)} />
          </>
        );
      }}
    </Loadable>
  );
}
