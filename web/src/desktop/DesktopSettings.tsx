// Settings → Server and Discord, in the desktop app: they belong to this computer, so the
// app keeps them (clients/tauri), not the server's per-user settings.
import { Button, Group, Paper, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { IconBrandDiscord, IconServer } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { notifyDone, notifyError } from '../lib/notify';
import { setPresence } from './bridge';
import { useDesktop } from './store';

function Panel({ title, icon, description, children }: { title: string; icon: ReactNode; description: string; children: ReactNode }) {
  return (
    <Paper withBorder radius="lg" p="lg">
      <Stack gap="md">
        <div>
          <Group gap={8}>
            {icon}
            <Title order={3} size="h4">
              {title}
            </Title>
          </Group>
          <Text size="sm" c="dimmed">
            {description}
          </Text>
        </div>
        {children}
      </Stack>
    </Paper>
  );
}

export function DesktopSettings() {
  const info = useDesktop((s) => s.info);
  const [appId, setAppId] = useState(info?.discord_app_id ?? '');
  const [busy, setBusy] = useState(false);
  if (!info) return null;

  const save = async (enabled: boolean, id: string) => {
    setBusy(true);
    try {
      useDesktop.getState().setInfo(await setPresence(enabled, id.trim() || null));
      notifyDone(enabled ? 'Discord presence on' : 'Discord presence off');
    } catch (err) {
      notifyError(err, 'Cannot change the Discord presence');
    } finally {
      setBusy(false);
    }
  };
  const missingId = !info.built_in_app_id && !info.discord_app_id;

  return (
    <>
      <Panel title="Server" icon={<IconServer size={18} />} description="The Tonearm server this app plays from. Checked before it is saved.">
        <Group justify="space-between">
          <Text ff="monospace" size="sm" data-testid="desktop-server">
            {info.server_url}
          </Text>
          <Button variant="default" onClick={() => useDesktop.getState().openSetup(true)}>
            Change server…
          </Button>
        </Group>
      </Panel>
      <Panel
        title="Discord"
        icon={<IconBrandDiscord size={18} />}
        description="Show the track you are playing in your Discord status, with its album, cover and time left. Only while Discord runs on this computer."
      >
        <Switch
          label="Show what I play in Discord"
          checked={info.presence_enabled}
          disabled={busy}
          onChange={(e) => void save(e.currentTarget.checked, appId)}
          data-testid="presence-switch"
        />
        <Group align="flex-end">
          <TextInput
            label="Discord application id"
            description={info.built_in_app_id ? 'Empty: the one this app came with.' : 'From your application in Discord’s developer portal.'}
            placeholder={info.built_in_app_id ? 'built in' : '17 to 20 digits'}
            value={appId}
            onChange={(e) => setAppId(e.currentTarget.value)}
            error={missingId && info.presence_enabled ? 'Needed before the presence can show.' : undefined}
            w={320}
          />
          <Button variant="default" loading={busy} onClick={() => void save(info.presence_enabled, appId)}>
            Save
          </Button>
        </Group>
      </Panel>
    </>
  );
}
