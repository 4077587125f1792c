import { Button, Center, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../api';
import type { Album } from '../api/types';
import { CardGrid } from '../components/CardGrid';
import { AlbumCard } from '../components/cards';
import { Empty } from '../components/Loadable';
import { notifyError } from '../lib/notify';

const PAGE = 60;
const SORTS = [
  { value: 'artist', label: 'Artist' },
  { value: 'name', label: 'Title' },
  { value: 'year', label: 'Year' },
  { value: 'recent', label: 'Recently added' },
];

export function AlbumsPage() {
  const [params, setParams] = useSearchParams();
  const sort = params.get('sort') ?? 'artist';
  const [albums, setAlbums] = useState<Album[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (offset: number) => {
    setBusy(true);
    try {
      const page = await api.albums({ limit: PAGE, offset, sort });
      setAlbums((prev) => (offset === 0 ? page.items : [...prev, ...page.items]));
      setTotal(page.total);
    } catch (err) {
      notifyError(err, 'Cannot load albums');
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    setAlbums([]);
    setTotal(null);
    void load(0);
  }, [sort]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <Stack gap="xl">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size={32}>
            Albums
          </Title>
          {total !== null && <Text c="dimmed">{total} albums</Text>}
        </div>
        <Select
          aria-label="Sort by"
          data={SORTS}
          value={sort}
          onChange={(v) => setParams(v ? { sort: v } : {})}
          w={180}
          allowDeselect={false}
        />
      </Group>
      {total === 0 ? (
        <Empty title="No albums yet">Scan a library from Settings to fill this page.</Empty>
      ) : (
        <CardGrid>
          {albums.map((a) => (
            <AlbumCard key={a.id} album={a} />
          ))}
        </CardGrid>
      )}
      {total !== null && albums.length < total && (
        <Center>
          <Button variant="light" loading={busy} onClick={() => void load(albums.length)}>
            Show more
          </Button>
        </Center>
      )}
    </Stack>
  );
}
