import { Stack, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../api';
import { CardGrid } from '../components/CardGrid';
import { AlbumCard, ArtistCard } from '../components/cards';
import { Empty, Loadable } from '../components/Loadable';
import { TrackList } from '../components/TrackList';
import { useAsync } from '../hooks/useAsync';
import { usePlayer } from '../stores/player';
import { useUi } from '../stores/ui';

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  // The field keeps its own text: the URL (?q=) follows it, a moment later. Driving the field
  // from the URL lost keystrokes typed faster than navigation settles.
  const [text, setText] = useState(q);
  const written = useRef(q);
  if (q !== written.current) {
    written.current = q; // back/forward, or a link to a search: the URL leads
    setText(q);
  }
  const [debounced] = useDebouncedValue(text.trim(), 250);
  useEffect(() => {
    if (debounced === written.current.trim()) return;
    written.current = debounced;
    setParams(debounced ? { q: debounced } : {}, { replace: true });
  }, [debounced, setParams]);
  // Mod+K while already here: back into the field, its text selected for a new search.
  const input = useRef<HTMLInputElement>(null);
  const focusRequest = useUi((s) => s.searchFocus);
  const handled = useRef(focusRequest); // arriving here, autoFocus does it: text stays as typed
  useEffect(() => {
    if (focusRequest === handled.current) return;
    handled.current = focusRequest;
    input.current?.focus();
    input.current?.select();
  }, [focusRequest]);
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
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        ref={input}
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
