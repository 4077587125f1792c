import { AppShell, Burger, Group, Text, useMantineColorScheme } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useEffect, useMemo } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { getEngine } from '../audio/engine';
import { useMediaSession } from '../hooks/useMediaSession';
import { usePlayerSocket } from '../hooks/usePlayerSocket';
import { useShortcuts } from '../hooks/useShortcuts';
import { notifyError } from '../lib/notify';
import { useFavourites } from '../stores/favourites';
import { useParty } from '../stores/party';
import { usePlayer } from '../stores/player';
import { useSettings } from '../stores/settings';
import { useUi } from '../stores/ui';
import { VisualizerLayer } from '../visualizers/VisualizerLayer';
import classes from './AppLayout.module.css';
import { PlayerBar } from './PlayerBar';
import { QueuePanel } from './QueuePanel';
import { ShortcutHelp } from './ShortcutHelp';
import { Sidebar } from './Sidebar';

function ConnectionBanner() {
  const connection = usePlayer((s) => s.connection);
  if (connection !== 'reconnecting') return null;
  return (
    <div className={classes.banner} role="status">
      Connection to the server lost — reconnecting…
    </div>
  );
}

export function AppLayout() {
  const queueOpen = useUi((s) => s.queueOpen);
  const navOpen = useUi((s) => s.navOpen);
  const toggleNav = useUi((s) => s.toggleNav);
  const helpOpen = useUi((s) => s.helpOpen);
  const setHelp = useUi((s) => s.setHelp);
  const theme = useSettings((s) => s.settings.theme);
  const volume = useSettings((s) => s.settings.volume);
  const { setColorScheme } = useMantineColorScheme();
  const navigate = useNavigate();
  const location = useLocation();
  const mobile = useMediaQuery('(max-width: 48em)') ?? false;

  usePlayerSocket(true);
  useMediaSession();
  useShortcuts(
    useMemo(
      () => ({
        search: () => {
          if (!window.location.pathname.startsWith('/search')) navigate('/search');
          useUi.getState().focusSearch();
        },
        help: () => setHelp(true),
        album: (id: number) => navigate(`/albums/${id}`),
      }),
      [navigate, setHelp],
    ),
  );

  useEffect(() => {
    useSettings.getState().load().catch((err: unknown) => notifyError(err, 'Cannot load your settings'));
    useParty.getState().load().catch(() => undefined); // a party we are in carries on after a reload
    return () => {
      useParty.getState().reset();
      usePlayer.getState().reset();
      useFavourites.getState().reset(); // the next one to sign in has favourites of their own
    };
  }, []);

  useEffect(() => setColorScheme(theme), [theme, setColorScheme]);
  useEffect(() => getEngine().setVolume(volume), [volume]);

  // A page change on a narrow screen closes the navigation drawer.
  useEffect(() => {
    if (useUi.getState().navOpen) useUi.getState().toggleNav();
  }, [location.pathname]);

  return (
    <AppShell
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !navOpen } }}
      aside={{ width: 380, breakpoint: 'md', collapsed: { desktop: !queueOpen, mobile: !queueOpen } }}
      footer={{ height: 90 }}
      header={{ height: 52, collapsed: !mobile }}
      padding={0}
      classNames={{ header: classes.header, navbar: classes.navbar, footer: classes.footer, aside: classes.aside, main: classes.main }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" gap="sm">
          <Burger opened={navOpen} onClick={toggleNav} size="sm" aria-label="Menu" />
          <Text fw={800}>Tonearm</Text>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar>
        <Sidebar />
      </AppShell.Navbar>
      <AppShell.Main>
        <ConnectionBanner />
        <div className={classes.content}>
          <Outlet />
        </div>
      </AppShell.Main>
      <AppShell.Aside>{queueOpen && <QueuePanel />}</AppShell.Aside>
      <AppShell.Footer>
        <PlayerBar />
      </AppShell.Footer>
      <VisualizerLayer />
      <ShortcutHelp opened={helpOpen} onClose={() => setHelp(false)} />
    </AppShell>
  );
}
