import { Box, Divider, NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { IconDisc, IconHeart, IconHome, IconMicrophone2, IconPlaylist, IconSearch, IconSettings } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { api } from '../api';
import type { Playlist } from '../api/types';
import { useDropTarget } from '../hooks/useDropTarget';
import { dropOnPlaylist } from '../lib/dropActions';
import classes from './Sidebar.module.css';

const LINKS = [
  { to: '/', label: 'Home', icon: IconHome },
  { to: '/search', label: 'Search', icon: IconSearch },
  { to: '/albums', label: 'Albums', icon: IconDisc },
  { to: '/artists', label: 'Artists', icon: IconMicrophone2 },
  { to: '/favourites', label: 'Favourites', icon: IconHeart },
  { to: '/playlists', label: 'Playlists', icon: IconPlaylist },
  { to: '/settings', label: 'Settings', icon: IconSettings },
];

export function Logo() {
  return (
    <Link to="/" className={classes.logo}>
      <img src="/favicon.svg" alt="" width={30} height={30} />
      <span>Tonearm</span>
    </Link>
  );
}

/** A playlist's link, which also takes albums and tracks dropped on it. */
function PlaylistLink({ playlist, active }: { playlist: Playlist; active: boolean }) {
  const drop = useDropTarget((items) => dropOnPlaylist(playlist, items));
  return (
    <NavLink
      component={Link}
      to={`/playlists/${playlist.id}`}
      label={playlist.name}
      active={active}
      className={classes.link}
      variant="light"
      data-testid="sidebar-playlist"
      data-drop-over={drop.over || undefined}
      {...drop.props}
    />
  );
}

export function Sidebar() {
  const { pathname } = useLocation();
  const [playlists, setPlaylists] = useState<Playlist[]>([]);
  useEffect(() => {
    api
      .playlists()
      .then((p) => setPlaylists(p.items))
      .catch(() => undefined);
  }, [pathname]);
  const active = (to: string) => (to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`));
  return (
    <Stack gap={0} h="100%">
      <Box px="md" pt="lg" pb="md" visibleFrom="sm">
        <Logo />
      </Box>
      <Stack gap={2} px="sm">
        {LINKS.map(({ to, label, icon: Icon }) => (
          <NavLink
            key={to}
            component={Link}
            to={to}
            label={label}
            active={active(to)}
            leftSection={<Icon size={20} stroke={1.7} />}
            className={classes.link}
            variant="light"
          />
        ))}
      </Stack>
      <Divider my="md" mx="md" />
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="lg" mb={6} className={classes.caption}>
        Your playlists
      </Text>
      <ScrollArea flex={1} px="sm" type="auto">
        {playlists.length === 0 ? (
          <Text size="sm" c="dimmed" px="sm">
            None yet
          </Text>
        ) : (
          playlists.map((p) => <PlaylistLink key={p.id} playlist={p} active={pathname === `/playlists/${p.id}`} />)
        )}
      </ScrollArea>
    </Stack>
  );
}
