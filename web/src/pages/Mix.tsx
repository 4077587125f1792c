import { Button } from '@mantine/core';
import { IconPlayerPlayFilled, IconRefresh } from '@tabler/icons-react';
import { useParams } from 'react-router-dom';
import { api } from '../api';
import { Cover } from '../components/Cover';
import { Hero } from '../components/Hero';
import { Empty, Loadable } from '../components/Loadable';
import { TrackList } from '../components/TrackList';
import { useAsync } from '../hooks/useAsync';
import { formatLength, plural } from '../lib/format';
import { attempt, notifyDone } from '../lib/notify';
import { usePlayer } from '../stores/player';

/** One generated mix: played as the context {type: 'mix', id}, so listens and autoplay know it. */
export function MixPage() {
  const id = Number(useParams().id);
  const mix = useAsync(() => api.mix(id), [id]);
  const play = (startTrackId?: number) => usePlayer.getState().playContext({ type: 'mix', id }, startTrackId);
  return (
    <Loadable state={mix}>
      {(m) => (
        <>
          <Hero
            art={<Cover coverId={m.cover_id} alt={m.name} size={464} />}
            kind="Mix"
            title={m.name}
            meta={[m.description, `${plural(m.track_count, 'track')}, ${formatLength(m.duration)}`].filter(Boolean).join(' · ')}
            actions={
              <>
                <Button
                  size="md"
                  radius="xl"
                  leftSection={<IconPlayerPlayFilled size={18} />}
                  disabled={m.track_count === 0}
                  onClick={() => attempt(() => play(), 'Cannot play')}
                >
                  Play
                </Button>
                <Button
                  size="md"
                  radius="xl"
                  variant="default"
                  leftSection={<IconRefresh size={18} />}
                  onClick={() =>
                    attempt(async () => {
                      await api.refreshMixes();
                      mix.reload();
                      notifyDone('Your mixes were made afresh');
                    }, 'Cannot refresh the mixes')
                  }
                >
                  Refresh
                </Button>
              </>
            }
          />
          {m.tracks.length === 0 ? (
            <Empty title="This mix is empty">Listen to some music and refresh: mixes follow what you play.</Empty>
          ) : (
            <TrackList tracks={m.tracks} onPlay={(t) => play(t.id)} showAlbum showCover numbered />
          )}
        </>
      )}
    </Loadable>
  );
}
