import { Anchor, Collapse, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { serverUrl, setServerUrl } from '../api';
import { useDesktop } from '../desktop/store';
import classes from './AuthCard.module.css';

/** The server's address, for the desktop app (the web page uses its own origin). */
export function ServerField({ onChange }: { onChange?: () => void }) {
  const [open, setOpen] = useState(Boolean(serverUrl()));
  const [value, setValue] = useState(serverUrl());
  const desktop = useDesktop((s) => s.info);
  if (desktop) {
    // The desktop app checks an address before it keeps it: its own setup screen.
    return (
      <Text size="xs" c="dimmed" ta="center">
        {desktop.server_url} ·{' '}
        <Anchor component="button" type="button" size="xs" onClick={() => useDesktop.getState().openSetup(true)}>
          Change server
        </Anchor>
      </Text>
    );
  }
  return (
    <Stack gap={4}>
      <Anchor component="button" type="button" size="xs" c="dimmed" onClick={() => setOpen((o) => !o)} ta="left">
        {open ? 'Hide server address' : 'Connect to another server…'}
      </Anchor>
      <Collapse in={open}>
        <TextInput
          label="Server address"
          description="Leave empty to use this page's own server."
          placeholder="https://music.example.org"
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          onBlur={() => {
            setServerUrl(value);
            onChange?.();
          }}
        />
      </Collapse>
    </Stack>
  );
}

export function AuthCard({ title, subtitle, children }: { title: string; subtitle: ReactNode; children: ReactNode }) {
  return (
    <div className={classes.page}>
      <Paper className={classes.card} radius="lg" p={36} shadow="xl" withBorder>
        <Stack gap="lg">
          <Stack gap={6} align="center">
            <img src="/favicon.svg" alt="" width={52} height={52} />
            <Title order={2} ta="center">
              {title}
            </Title>
            <Text c="dimmed" size="sm" ta="center">
              {subtitle}
            </Text>
          </Stack>
          {children}
        </Stack>
      </Paper>
    </div>
  );
}
