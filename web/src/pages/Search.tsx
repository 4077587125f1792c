import { Stack, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../api';
import { CardGrid } from '../components/CardGrid';
import { AlbumCard, ArtistCard } from '../components/cards';
import { Empty, Loadable } from '../components/Loadable';
import { TrackList } from '../components/TrackList';
import { useAsync } from '../hooks/useAsync';
import { usePlayer } from '../stores/player';

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const results = useAsync(async () => (debounced ? api.search(debounced, 24) : null), [debounced]);
  return (
    <Stack gap="xl">
      <Title order={1} size={32}>
        Search
      </Title>
      <TextInput
        size="lg"
        radius="xl"
        placeholder="Artists, albums, tracks"
        leftSection={<IconSearch size={20} />}
        value={q}
        onChange={(e) => setParams(e.currentTarget.value ? { q: e.currentTarget.value } : {}, { replace: true })}
        autoFocus
        aria-label="Search"
        maw={640}
      />
      {debounced && (
        <Loadable state={results}>
          {(r) =>
            !r || (r.artists.total === 0 && r.albums.total === 0 && r.tracks.total === 0) ? (
              <Empty title={`Nothing found for “${debounced}”`}>Try fewer words, or another spelling.</Empty>
            ) : (
              <Stack gap={36}>
                {r.tracks.items.length > 0 && (
                  <section>
                    <Title order={3} size="h4" mb="sm">
                      Tracks
                    </Title>
                    <TrackList
                      tracks={r.tracks.items.slice(0, 10)}
                      onPlay={(t) =>
                        usePlayer.getState().playContext({ type: 'tracks', track_ids: r.tracks.items.map((x) => x.id) }, t.id)
                      }
                      showAlbum
                      showCover
                      numbered
                    />
                  </section>
                )}
                {r.artists.items.length > 0 && (
                  <section>
                    <Title order={3} size="h4" mb="md">
                      Artists
                    </Title>
                    <CardGrid>
                      {r.artists.items.map((a) => (
                        <ArtistCard key={a.id} artist={a} />
                      ))}
                    </CardGrid>
                  </section>
                )}
                {r.albums.items.length > 0 && (
                  <section>
                    <Title order={3} size="h4" mb="md">
                      Albums
                    </Title>
                    <CardGrid>
                      {r.albums.items.map((a) => (
                        <AlbumCard key={a.id} album={a} />
                      ))}
                    </CardGrid>
                  </section>
                )}
              </Stack>
            )
          }
        </Loadable>
      )}
    </Stack>
  );
}
