import { Button, Group, Modal, Stack, TextInput, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, errorMessage } from '../api';
import { CardGrid } from '../components/CardGrid';
import { PlaylistCard } from '../components/cards';
import { Empty, Loadable } from '../components/Loadable';
import { useAsync } from '../hooks/useAsync';

export function PlaylistsPage() {
  const playlists = useAsync(() => api.playlists(), []);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();

  const create = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      const created = await api.createPlaylist(name.trim());
      setOpen(false);
      navigate(`/playlists/${created.id}`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <Stack gap="xl">
      <Group justify="space-between" align="flex-end">
        <Title order={1} size={32}>
          Playlists
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={() => { setName(''); setError(null); setOpen(true); }}>
          New playlist
        </Button>
      </Group>
      <Loadable state={playlists}>
        {(p) =>
          p.items.length === 0 ? (
            <Empty title="No playlists yet">Create one here, or add tracks to a new playlist from any track’s ⋯ menu.</Empty>
          ) : (
            <CardGrid>
              {p.items.map((pl) => (
                <PlaylistCard key={pl.id} playlist={pl} />
              ))}
            </CardGrid>
          )
        }
      </Loadable>
      <Modal opened={open} onClose={() => setOpen(false)} title="New playlist" centered>
        <form onSubmit={(e) => void create(e)}>
          <Stack>
            <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus error={error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button type="submit">Create</Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
