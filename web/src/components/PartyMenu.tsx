// The session menu of the player bar: start a listen party (with or without a code); as
// its host, the code and the link to share, the code's controls, suggestions, hand-over and
// the end; as a member, who hosts, who is in, and leaving.
import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Checkbox,
  CopyButton,
  Divider,
  Group,
  Menu,
  Popover,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconCheck, IconCopy, IconCrown, IconDots, IconRefresh, IconUsersGroup } from '@tabler/icons-react';
import { useState } from 'react';
import type { Party } from '../api/types';
import { attempt } from '../lib/notify';
import { useParty } from '../stores/party';

/** The host has joined but has no party socket open anywhere (the party ends if they stay away). */
export function hostAway(party: Party): boolean {
  return party.members.some((m) => m.host && !m.online);
}

/** A dot: connected right now (on any replica), or joined but away. */
function Presence({ online, name }: { online: boolean; name: string }) {
  return (
    <Box
      component="span"
      w={8}
      h={8}
      bg={online ? 'teal.6' : 'gray.5'}
      style={{ borderRadius: '50%', flex: 'none' }}
      role="img"
      aria-label={`${name} is ${online ? 'connected' : 'away'}`}
      data-testid="member-presence"
      data-online={online}
    />
  );
}

/** The invite link, absolute (it is pasted into messages). */
export function inviteUrl(party: Party, origin = window.location.origin): string {
  return `${origin}${party.link}`;
}

function Members({ party, host }: { party: Party; host: boolean }) {
  const connected = party.members.filter((m) => m.online).length;
  return (
    <Stack gap={4} data-testid="party-members">
      <Text size="xs" fw={700} c="dimmed" tt="uppercase">
        In the party ({party.members.length}, {connected} connected)
      </Text>
      {party.members.map((m) => (
        <Group key={m.id} gap={6} justify="space-between" wrap="nowrap" data-testid="party-member">
          <Group gap={6} wrap="nowrap">
            <Presence online={m.online} name={m.name} />
            <Text size="sm" truncate="end" c={m.online ? undefined : 'dimmed'}>
              {m.name}
            </Text>
            {!m.online && (
              <Text size="xs" c="dimmed" data-testid="member-away">
                away
              </Text>
            )}
            {m.host && (
              <Badge size="xs" variant="light" leftSection={<IconCrown size={10} />} data-testid="party-host-badge">
                host
              </Badge>
            )}
          </Group>
          {host && !m.host && (
            <Menu position="bottom-end" withinPortal={false}>
              <Menu.Target>
                <ActionIcon size={24} aria-label={`More for ${m.name}`}>
                  <IconDots size={16} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => attempt(() => useParty.getState().handOver(m.id, false), 'Cannot hand over')}>
                  Make {m.name} the host
                </Menu.Item>
                <Menu.Item onClick={() => attempt(() => useParty.getState().handOver(m.id, true), 'Cannot hand over')}>
                  Hand over to {m.name} and leave
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
      ))}
    </Stack>
  );
}

function StartPanel() {
  const [requireCode, setRequireCode] = useState(false);
  const [suggestions, setSuggestions] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <Stack gap="sm">
      <Title order={5}>Listen party</Title>
      <Text size="sm" c="dimmed">
        Friends hear what you play, in step with you, on their own devices.
      </Text>
      <Checkbox
        label="Require a 4-digit code"
        data-testid="require-code"
        checked={requireCode}
        onChange={(e) => setRequireCode(e.currentTarget.checked)}
      />
      <Checkbox
        label="Let members suggest tracks"
        checked={suggestions}
        onChange={(e) => setSuggestions(e.currentTarget.checked)}
      />
      <Button
        leftSection={<IconUsersGroup size={16} />}
        loading={busy}
        data-testid="start-party"
        onClick={() =>
          attempt(async () => {
            setBusy(true);
            try {
              await useParty.getState().start(requireCode, suggestions);
            } finally {
              setBusy(false);
            }
          }, 'Cannot start a listen party')
        }
      >
        Start a listen party
      </Button>
    </Stack>
  );
}

function HostPanel({ party }: { party: Party }) {
  const url = inviteUrl(party);
  const store = useParty.getState;
  return (
    <Stack gap="sm">
      <Title order={5}>You are hosting a listen party</Title>
      {party.code ? (
        <Stack gap={4}>
          <Text size="xs" fw={700} c="dimmed" tt="uppercase">
            Code
          </Text>
          <Group justify="space-between" wrap="nowrap">
            <Text ff="monospace" fz={30} fw={700} lh={1} data-testid="party-code" style={{ letterSpacing: '0.25em' }}>
              {party.code}
            </Text>
            <Group gap={4}>
              <Tooltip label="New code">
                <ActionIcon aria-label="New code" data-testid="new-code" onClick={() => attempt(() => store().newCode())}>
                  <IconRefresh size={18} />
                </ActionIcon>
              </Tooltip>
              <Button size="compact-xs" variant="subtle" onClick={() => attempt(() => store().removeCode())}>
                Remove code
              </Button>
            </Group>
          </Group>
          {party.code_rotated && (
            <Alert color="yellow" p="xs" data-testid="code-rotated">
              Too many wrong guesses: this is a new code. Tell your friends.
            </Alert>
          )}
        </Stack>
      ) : (
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            Anyone with the link can join.
          </Text>
          <Button size="compact-xs" variant="light" onClick={() => attempt(() => store().newCode())}>
            Add a code
          </Button>
        </Group>
      )}
      <TextInput
        label="Link to share"
        value={url}
        readOnly
        data-testid="party-link"
        onFocus={(e) => e.currentTarget.select()}
        rightSection={
          <CopyButton value={url}>
            {({ copied, copy }) => (
              <ActionIcon aria-label="Copy the link" onClick={copy} color={copied ? 'teal' : 'gray'}>
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            )}
          </CopyButton>
        }
      />
      <Switch
        label="Let members suggest tracks"
        checked={party.allow_suggestions}
        onChange={(e) => {
          const on = e.currentTarget.checked;
          attempt(() => store().setSuggestions(on));
        }}
      />
      <Divider />
      <Members party={party} host />
      <Divider />
      <Button color="red" variant="light" data-testid="end-party" onClick={() => attempt(() => store().end(), 'Cannot end the party')}>
        End the party for everyone
      </Button>
    </Stack>
  );
}

function MemberPanel({ party }: { party: Party }) {
  return (
    <Stack gap="sm">
      <Title order={5}>Listening with {party.host.name}</Title>
      <Text size="sm" c="dimmed">
        Your player follows the host{party.allow_suggestions ? '; suggest tracks from any track’s menu.' : '.'}
      </Text>
      {hostAway(party) && (
        <Alert color="yellow" p="xs" data-testid="host-away">
          {party.host.name ?? 'The host'} is away. The party ends if they do not come back soon.
        </Alert>
      )}
      <Members party={party} host={false} />
      <Divider />
      <Button variant="light" data-testid="leave-party" onClick={() => attempt(() => useParty.getState().leave(), 'Cannot leave')}>
        Leave the party
      </Button>
    </Stack>
  );
}

export function PartyMenu() {
  const party = useParty((s) => s.party);
  const [opened, setOpened] = useState(false);
  return (
    <Popover opened={opened} onChange={setOpened} position="top-end" shadow="md" width={340} withinPortal>
      <Popover.Target>
        <Tooltip label="Listen party" disabled={opened}>
          <ActionIcon
            size={36}
            aria-label="Listen party"
            aria-expanded={opened}
            data-testid="party-menu"
            color={party ? 'tonearm' : 'gray'}
            onClick={() => setOpened((o) => !o)}
          >
            <IconUsersGroup size={20} />
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown data-testid="party-panel">
        {!party ? <StartPanel /> : party.you_are_host ? <HostPanel party={party} /> : <MemberPanel party={party} />}
      </Popover.Dropdown>
    </Popover>
  );
}
