import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api } from '../api';
import type { Artist } from '../api/types';
import { CardGrid } from '../components/CardGrid';
import { ArtistCard } from '../components/cards';
import { Empty } from '../components/Loadable';
import { notifyError } from '../lib/notify';

const PAGE = 60;

export function ArtistsPage() {
  const [artists, setArtists] = useState<Artist[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (offset: number) => {
    setBusy(true);
    try {
      const page = await api.artists({ limit: PAGE, offset });
      setArtists((prev) => (offset === 0 ? page.items : [...prev, ...page.items]));
      setTotal(page.total);
    } catch (err) {
      notifyError(err, 'Cannot load artists');
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    void load(0);
  }, []);

  return (
    <Stack gap="xl">
      <div>
        <Title order={1} size={32}>
          Artists
        </Title>
        {total !== null && <Text c="dimmed">{total} artists</Text>}
      </div>
      {total === 0 ? (
        <Empty title="No artists yet">Scan a library from Settings to fill this page.</Empty>
      ) : (
        <CardGrid>
          {artists.map((a) => (
            <ArtistCard key={a.id} artist={a} />
          ))}
        </CardGrid>
      )}
      {total !== null && artists.length < total && (
        <Center>
          <Button variant="light" loading={busy} onClick={() => void load(artists.length)}>
            Show more
          </Button>
        </Center>
      )}
    </Stack>
  );
}
