import { Group, Kbd, Modal, Table, Text } from '@mantine/core';
import { Fragment } from 'react';
import { comboLabel, FIXED_KEYS, helpRows, resolveBindings } from '../lib/shortcuts';
import { useSettings } from '../stores/settings';

export const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** One key combination as keycaps. */
export function Combo({ combo }: { combo: string }) {
  return (
    <Group gap={2} wrap="nowrap" component="span" display="inline-flex">
      {comboLabel(combo, MAC).map((part, i) => (
        <Fragment key={i}>
          {i > 0 && (
            <Text span size="xs" c="dimmed">
              +
            </Text>
          )}
          <Kbd>{part}</Kbd>
        </Fragment>
      ))}
    </Group>
  );
}

/** Every shortcut with the keys it answers to for this user (Shift+? opens it). */
export function ShortcutHelp({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const bindings = resolveBindings(useSettings((s) => s.settings.shortcuts));
  const rows = [
    ...helpRows(bindings).map((r) => ({ id: r.ids.join(' '), keys: r.keys, description: r.description })),
    ...FIXED_KEYS.map((f) => ({ id: f.description, keys: [f.keys], description: f.description })),
  ];
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" centered size="lg">
      <Table data-testid="shortcut-help">
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id} data-shortcut={row.id}>
              <Table.Td w={220}>
                <Group gap={8}>
                  {row.keys.map((keys, i) => (
                    <Fragment key={i}>
                      {i > 0 && (
                        <Text span size="sm" c="dimmed">
                          /
                        </Text>
                      )}
                      {keys.map((k) => (
                        <Combo key={k} combo={k} />
                      ))}
                    </Fragment>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{row.description}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt="sm">
        Change them in Settings → Keyboard shortcuts.
      </Text>
    </Modal>
  );
}
