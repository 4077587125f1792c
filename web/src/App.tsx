import { Button, Center, Loader, Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { onUnauthorized } from './api';
import { AppLayout } from './components/AppLayout';
import { AlbumPage } from './pages/Album';
import { AlbumsPage } from './pages/Albums';
import { ArtistPage } from './pages/Artist';
import { ArtistsPage } from './pages/Artists';
import { HomePage } from './pages/Home';
import { LoginPage } from './pages/Login';
import { PlaylistPage } from './pages/Playlist';
import { PlaylistsPage } from './pages/Playlists';
import { SearchPage } from './pages/Search';
import { SettingsPage } from './pages/Settings';
import { SetupPage } from './pages/Setup';
import { useAuth } from './stores/auth';

export function App() {
  const status = useAuth((s) => s.status);
  const error = useAuth((s) => s.error);

  useEffect(() => {
    void useAuth.getState().check();
    return onUnauthorized(() => useAuth.getState().expired());
  }, []);

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
          <Button onClick={() => void useAuth.getState().check()}>Try again</Button>
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
        <Route path="playlists" element={<PlaylistsPage />} />
        <Route path="playlists/:id" element={<PlaylistPage />} />
        <Route path="search" element={<SearchPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}
