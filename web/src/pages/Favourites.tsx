import { Alert, Button, Center, Group, Loader, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconArrowsShuffle, IconPlayerPlayFilled } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, errorMessage } from '../api';
import type { FavouriteItems, FavouriteKind } from '../api/types';
import { CardGrid } from '../components/CardGrid';
import { AlbumCard, ArtistCard } from '../components/cards';
import { Empty } from '../components/Loadable';
import { TrackList } from '../components/TrackList';
import { plural } from '../lib/format';
import { attempt } from '../lib/notify';
import { favouriteKey, useFavourites } from '../stores/favourites';
import { usePlayer } from '../stores/player';

const PAGE = 100;
const MAX_PAGE = 500; // the API's largest `limit`
const KINDS: { value: FavouriteKind; label: string; noun: string; hint: string }[] = [
  { value: 'tracks', label: 'Tracks', noun: 'track', hint: 'Press the heart in the player bar, or “Add to favourites” in any track’s ⋯ menu.' },
  { value: 'albums', label: 'Albums', noun: 'album', hint: 'Press the heart on an album’s page.' },
  { value: 'artists', label: 'Artists', noun: 'artist', hint: 'Press the heart on an artist’s page.' },
];

interface List<T> {
  items: T[];
  total: number | null;
  error: string | null;
  busy: boolean;
  more(): void;
}

/** The user's favourites of a kind, newest first, loaded again whenever a change reaches the
 *  server (from this page or any other view), keeping as many as were showing. */
function useFavouriteList<K extends FavouriteKind>(kind: K): List<FavouriteItems[K]> {
  const changes = useFavourites((s) => s.changes);
  const [items, setItems] = useState<FavouriteItems[K][]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const wanted = useRef(PAGE);
  const latest = useRef(0); // answers to older loads are dropped

  const load = async (offset: number, limit: number) => {
    const mine = ++latest.current;
    setBusy(true);
    try {
      const page = await api.favourites(kind, { limit, offset });
      if (mine !== latest.current) return;
      setItems((prev) => (offset === 0 ? page.items : [...prev, ...page.items]));
      setTotal(page.total);
      setError(null);
    } catch (err) {
      if (mine === latest.current) setError(errorMessage(err));
    } finally {
      if (mine === latest.current) setBusy(false);
    }
  };

  useEffect(() => {
    void load(0, Math.min(MAX_PAGE, wanted.current));
  }, [kind, changes]); // eslint-disable-line react-hooks/exhaustive-deps

  return {
    items,
    total,
    error,
    busy,
    more: () => {
      wanted.current = items.length + PAGE;
      void load(items.length, PAGE);
    },
  };
}

function FavouriteList<K extends FavouriteKind>({ kind }: { kind: K }) {
  const list = useFavouriteList(kind);
  const entries = useFavourites((s) => s.entries);
  const meta = KINDS.find((k) => k.value === kind)!;
  // What was just unfavourited here or anywhere else leaves at once (and comes back if the
  // server refuses); the list loaded again confirms it.
  const shown = list.items.filter((item) => entries[favouriteKey(kind, item.id)]?.value ?? item.favourite ?? true);
  const gone = list.items.length - shown.length;
  if (list.error && list.total === null) {
    return (
      <Alert color="red" variant="light" title="Could not load your favourites" maw={560}>
        {list.error}
      </Alert>
    );
  }
  if (list.total === null) {
    return (
      <Center py={80}>
        <Loader />
      </Center>
    );
  }
  const count = Math.max(0, list.total - gone);
  if (count === 0) return <Empty title={`No favourite ${meta.noun}s yet`}>{meta.hint}</Empty>;
  const play = (startTrackId?: number, shuffle?: boolean) =>
    usePlayer
      .getState()
      .playContext({ type: 'tracks', track_ids: (shown as FavouriteItems['tracks'][]).map((t) => t.id) }, startTrackId, shuffle);
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Text c="dimmed" data-testid="favourites-count">
          {plural(count, meta.noun)}
        </Text>
        {kind === 'tracks' && (
          <Group gap="sm">
            <Button radius="xl" leftSection={<IconPlayerPlayFilled size={16} />} onClick={() => attempt(() => play(undefined, false), 'Cannot play')}>
              Play
            </Button>
            <Button radius="xl" variant="default" leftSection={<IconArrowsShuffle size={16} />} onClick={() => attempt(() => play(undefined, true), 'Cannot play')}>
              Shuffle
            </Button>
          </Group>
        )}
      </Group>
      {kind === 'tracks' ? (
        <TrackList tracks={shown as FavouriteItems['tracks'][]} onPlay={(t) => play(t.id)} showAlbum showCover numbered />
      ) : (
        <CardGrid>
          {kind === 'albums'
            ? (shown as FavouriteItems['albums'][]).map((a) => <AlbumCard key={a.id} album={a} />)
            : (shown as FavouriteItems['artists'][]).map((a) => <ArtistCard key={a.id} artist={a} />)}
        </CardGrid>
      )}
      {list.items.length < list.total && (
        <Center>
          <Button variant="light" loading={list.busy} onClick={list.more}>
            Show more
          </Button>
        </Center>
      )}
    </Stack>
  );
}

export function FavouritesPage() {
  const [params, setParams] = useSearchParams();
  const raw = params.get('kind');
  const kind: FavouriteKind = KINDS.some((k) => k.value === raw) ? (raw as FavouriteKind) : 'tracks';
  return (
    <Stack gap="xl">
      <Title order={1} size={32}>
        Favourites
      </Title>
      <Tabs value={kind} onChange={(v) => setParams(v && v !== 'tracks' ? { kind: v } : {}, { replace: true })} keepMounted={false}>
        <Tabs.List mb="lg">
          {KINDS.map((k) => (
            <Tabs.Tab key={k.value} value={k.value}>
              {k.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {KINDS.map((k) => (
          <Tabs.Panel key={k.value} value={k.value}>
            {k.value === kind && <FavouriteList key={k.value} kind={k.value} />}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
