import { Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { onUnauthorized } from './api';
import { AppLayout } from './components/AppLayout';
import { ServerSetup } from './desktop/ServerSetup';
import { useDesktop } from './desktop/store';
import { useDesktopBridge } from './desktop/useDesktopBridge';
import { AlbumPage } from './pages/Album';
import { AlbumsPage } from './pages/Albums';
import { ArtistPage } from './pages/Artist';
import { ArtistsPage } from './pages/Artists';
import { FavouritesPage } from './pages/Favourites';
import { HomePage } from './pages/Home';
import { JoinPartyPage } from './pages/JoinParty';
import { LoginPage } from './pages/Login';
import { MixPage } from './pages/Mix';
import { PlaylistPage } from './pages/Playlist';
import { PlaylistsPage } from './pages/Playlists';
import { SearchPage } from './pages/Search';
import { SettingsPage } from './pages/Settings';
import { SimilarPage } from './pages/Similar';
import { SetupPage } from './pages/Setup';
import { useAuth } from './stores/auth';

export function App() {
  const status = useAuth((s) => s.status);
  const error = useAuth((s) => s.error);
  // The desktop app: no server yet (first run), or "Change server" → the setup screen.
  const desktop = useDesktop((s) => s.info);
  const setupOpen = useDesktop((s) => s.setupOpen);
  const needsServer = desktop !== null && (!desktop.server_url || setupOpen);
  useDesktopBridge();

  useEffect(() => {
    if (!needsServer) void useAuth.getState().check();
  }, [needsServer]);

  useEffect(() => onUnauthorized(() => useAuth.getState().expired()), []);

  if (needsServer) {
    const current = desktop.server_url;
    return (
      <ServerSetup
        current={current}
        onDone={(found) => useDesktop.setState({ info: { ...desktop, server_url: found.url }, setupOpen: false })}
        onCancel={current ? () => useDesktop.getState().openSetup(false) : undefined}
      />
    );
  }

  if (status === 'checking') {
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  }
  if (status === 'unreachable') {
    return (
      <Center h="100vh">
        <Stack align="center" gap="sm">
          <Title order={3}>Cannot reach the server</Title>
          <Text c="dimmed">{error}</Text>
          <Group>
            <Button onClick={() => void useAuth.getState().check()}>Try again</Button>
            {desktop && (
              <Button variant="default" onClick={() => useDesktop.getState().openSetup(true)}>
                Change server
              </Button>
            )}
          </Group>
        </Stack>
      </Center>
    );
  }
  if (status === 'setup') return <SetupPage />;
  if (status === 'signed-out') return <LoginPage />;
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<HomePage />} />
        <Route path="albums" element={<AlbumsPage />} />
        <Route path="albums/:id" element={<AlbumPage />} />
        <Route path="artists" element={<ArtistsPage />} />
        <Route path="artists/:id" element={<ArtistPage />} />
        <Route path="favourites" element={<FavouritesPage />} />
        <Route path="playlists" element={<PlaylistsPage />} />
        <Route path="playlists/:id" element={<PlaylistPage />} />
        <Route path="search" element={<SearchPage />} />
        <Route path="mixes/:id" element={<MixPage />} />
        <Route path="tracks/:id/similar" element={<SimilarPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="party/:id" element={<JoinPartyPage />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}
