import { Stack, Text, Title } from '@mantine/core';
import { api } from '../api';
import { CardRow } from '../components/CardGrid';
import { AlbumCard, MixCard, PlaylistCard, TrackCard } from '../components/cards';
import { Loadable } from '../components/Loadable';
import { useAsync } from '../hooks/useAsync';
import { useAuth } from '../stores/auth';

function greeting(): string {
  const hour = new Date().getHours();
  return hour < 5 ? 'Good night' : hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';
}

export function HomePage() {
  const home = useAsync(() => api.home(30), []);
  // Mixes load on their own: generating them may take a moment, the rest of home need not wait.
  const mixes = useAsync(() => api.mixes(), []);
  const user = useAuth((s) => s.user);
  return (
    <Stack gap={36}>
      <div>
        <Title order={1} size={32}>
          {greeting()}
          {user ? `, ${user.name}` : ''}
        </Title>
        <Text c="dimmed" mt={4}>
          Pick up where you left off, or find something new.
        </Text>
      </div>
      <Loadable state={home}>
        {(h) => (
          <div>
            {mixes.data && mixes.data.items.length > 0 && (
              <CardRow title="Your mixes" items={mixes.data.items} render={(m) => <MixCard key={m.id} mix={m} />} />
            )}
            {h.recent_albums.length > 0 && (
              <CardRow title="Recently played albums" items={h.recent_albums} render={(a) => <AlbumCard key={a.id} album={a} />} />
            )}
            {h.recent_tracks.length > 0 && (
              <CardRow title="Recently played tracks" items={h.recent_tracks} render={(t) => <TrackCard key={t.id} track={t} />} />
            )}
            {h.recent_playlists.length > 0 && (
              <CardRow title="Your playlists lately" items={h.recent_playlists} render={(p) => <PlaylistCard key={p.id} playlist={p} />} />
            )}
            <CardRow
              title="Recently added"
              more="/albums?sort=recent"
              items={h.recently_added_albums}
              render={(a) => <AlbumCard key={a.id} album={a} />}
              empty="Nothing here yet. Once the library is scanned, new albums show up here (Settings → Libraries)."
            />
          </div>
        )}
      </Loadable>
    </Stack>
  );
}
