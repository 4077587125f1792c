import {
  Badge,
  Button,
  Group,
  Paper,
  Progress,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconDeviceDesktop, IconLogout, IconMoon, IconRefresh, IconSun } from '@tabler/icons-react';
import { useEffect, useState, type ReactNode } from 'react';
import { api, serverUrl, setServerUrl } from '../api';
import type { Library, ScanState, Theme } from '../api/types';
import { Loadable } from '../components/Loadable';
import { ShortcutSettings } from '../components/ShortcutSettings';
import { DesktopSettings } from '../desktop/DesktopSettings';
import { isDesktop } from '../desktop/bridge';
import { useAsync } from '../hooks/useAsync';
import { scanPercent, scanSummary } from '../lib/scan';
import { attempt, notifyDone } from '../lib/notify';
import { useAuth } from '../stores/auth';
import { useSettings } from '../stores/settings';
import { useUi } from '../stores/ui';

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <Paper withBorder radius="lg" p="lg">
      <Stack gap="md">
        <div>
          <Title order={3} size="h4">
            {title}
          </Title>
          {description && (
            <Text size="sm" c="dimmed">
              {description}
            </Text>
          )}
        </div>
        {children}
      </Stack>
    </Paper>
  );
}

function statusBadge(lib: Library) {
  const color = lib.status === 'online' ? 'teal' : lib.status === 'offline' ? 'red' : 'gray';
  const badge = (
    <Badge color={color} variant="light" data-testid="library-status">
      {lib.status}
    </Badge>
  );
  return lib.status_reason ? <Tooltip label={lib.status_reason}>{badge}</Tooltip> : badge;
}

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

function Libraries() {
  const libraries = useAsync(() => api.libraries(), []);
  const [scan, setScan] = useState<ScanState | null>(null);
  const isAdmin = useAuth((s) => s.user?.is_admin ?? false);
  const running = scan?.state === 'running' || scan?.state === 'queued';

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    let wasRunning = false;
    const poll = async () => {
      try {
        const state = await api.scanState();
        if (stopped) return;
        setScan(state);
        const busy = state.state !== 'idle';
        if (wasRunning && !busy) libraries.reload(); // counts and statuses changed
        wasRunning = busy;
        timer = setTimeout(() => void poll(), busy ? 1000 : 5000);
      } catch {
        if (!stopped) timer = setTimeout(() => void poll(), 5000);
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const percent = scanPercent(scan?.current);
  return (
    <Section title="Libraries" description="The folders Tonearm serves. A drive that is unplugged shows as offline; its tracks are kept.">
      <Loadable state={libraries}>
        {(libs) => (
          <Table verticalSpacing="sm" data-testid="libraries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Folder</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Tracks</Table.Th>
                <Table.Th visibleFrom="sm">Last scan</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {libs.items.map((lib) => (
                <Table.Tr key={lib.id}>
                  <Table.Td>
                    <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
                      {lib.path}
                    </Text>
                  </Table.Td>
                  <Table.Td>{statusBadge(lib)}</Table.Td>
                  <Table.Td ta="right">{lib.track_count}</Table.Td>
                  <Table.Td visibleFrom="sm">
                    <Text size="sm" c="dimmed">
                      {when(lib.last_scan_at)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Loadable>
      <Stack gap={6}>
        <Group justify="space-between">
          <Text size="sm" fw={600}>
            {running ? (scan?.state === 'queued' ? 'Scan queued…' : 'Scanning…') : 'Scan'}
          </Text>
          {isAdmin && (
            <Button
              size="xs"
              variant="light"
              leftSection={<IconRefresh size={14} />}
              loading={running}
              data-testid="scan-button"
              onClick={() =>
                attempt(async () => {
                  await api.scan(false);
                  setScan(await api.scanState());
                }, 'Cannot start a scan')
              }
            >
              Scan now
            </Button>
          )}
        </Group>
        {running ? (
          <Progress value={percent ?? 100} animated={percent === null || percent < 100} striped size="lg" radius="xl" data-testid="scan-progress" />
        ) : null}
        <Text size="xs" c="dimmed">
          {running && scan?.current
            ? scanSummary(scan.current)
            : scan?.last
              ? `Last scan ${scan.last.state === 'failed' ? 'failed' : 'finished'} ${when(scan.last.finished_at)}: ${scanSummary(scan.last)}`
              : 'No scan yet.'}
        </Text>
      </Stack>
    </Section>
  );
}

const THEMES: { value: Theme; label: ReactNode }[] = [
  { value: 'auto', label: <Group gap={6} wrap="nowrap"><IconDeviceDesktop size={16} />System</Group> },
  { value: 'light', label: <Group gap={6} wrap="nowrap"><IconSun size={16} />Light</Group> },
  { value: 'dark', label: <Group gap={6} wrap="nowrap"><IconMoon size={16} />Dark</Group> },
];

export function SettingsPage() {
  const theme = useSettings((s) => s.settings.theme);
  const update = useSettings((s) => s.update);
  const user = useAuth((s) => s.user);
  const [server, setServer] = useState(serverUrl());
  return (
    <Stack gap="lg" maw={900}>
      <Title order={1} size={32}>
        Settings
      </Title>
      <Libraries />
      <Section title="Appearance" description="Follows you to every device you sign in on.">
        <SegmentedControl
          data={THEMES.map((t) => ({ value: t.value, label: t.label }))}
          value={theme}
          onChange={(v) => update({ theme: v as Theme })}
          w="fit-content"
          data-testid="theme-control"
        />
      </Section>
      <Section title="Account">
        <Group justify="space-between">
          <Group gap="sm">
            <Text fw={600}>{user?.name}</Text>
            {user?.is_admin && (
              <Badge variant="light" size="sm">
                Administrator
              </Badge>
            )}
          </Group>
          <Button variant="default" leftSection={<IconLogout size={16} />} onClick={() => void useAuth.getState().signOut()}>
            Sign out
          </Button>
        </Group>
      </Section>
      <Section
        title="Keyboard shortcuts"
        description="Click a key to record another; follows you to every device. Press ? anywhere for the list."
      >
        <Text size="sm" c="dimmed">
          <Text span c="tonearm" style={{ cursor: 'pointer' }} onClick={() => useUi.getState().setHelp(true)}>
            Show them all now
          </Text>
        </Text>
        <ShortcutSettings />
      </Section>
      {isDesktop() ? (
        <DesktopSettings />
      ) : (
        <Section title="Server" description="Where this app finds Tonearm. Empty means the server this page came from.">
          <Group align="flex-end">
            <TextInput
              label="Server address"
              placeholder={window.location.origin}
              value={server}
              onChange={(e) => setServer(e.currentTarget.value)}
              w={360}
            />
            <Button
              variant="default"
              onClick={() => {
                setServerUrl(server);
                notifyDone('Server address saved');
                void useAuth.getState().check();
              }}
            >
              Save
            </Button>
          </Group>
        </Section>
      )}
    </Stack>
  );
}
