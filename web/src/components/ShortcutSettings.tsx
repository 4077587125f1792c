import { Alert, Button, Group, Stack, Table, Text } from '@mantine/core';
import { IconKeyboard, IconRestore } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import {
  bind,
  type Bindings,
  comboFromEvent,
  comboLabel,
  resetOne,
  resolveBindings,
  shortcutDef,
  SHORTCUTS,
  type ShortcutId,
} from '../lib/shortcuts';
import { useSettings } from '../stores/settings';
import { Combo, MAC } from './ShortcutHelp';

interface Clash {
  id: ShortcutId;
  combo: string;
  other: ShortcutId;
}

const say = (combo: string) => comboLabel(combo, MAC).join('+');

/** Settings → Keyboard shortcuts: each action with its keys; click to record a new one. The
 *  bindings live in the user's settings, so they follow them to every device. */
export function ShortcutSettings() {
  const stored = useSettings((s) => s.settings.shortcuts);
  const bindings: Bindings = stored ?? {};
  const resolved = resolveBindings(bindings);
  const [recording, setRecording] = useState<ShortcutId | null>(null);
  const [clash, setClash] = useState<Clash | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const save = (next: Bindings) => useSettings.getState().update({ shortcuts: next });

  useEffect(() => {
    if (!recording) return;
    // In the capture phase, ahead of everything: the key being recorded must not also act
    // (Space would pause, Escape would close a dialog).
    const onKey = (event: KeyboardEvent) => {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (event.key === 'Escape' && !event.ctrlKey && !event.metaKey && !event.altKey && !event.shiftKey) {
        setRecording(null);
        return;
      }
      const combo = comboFromEvent(event);
      if (!combo) return; // a modifier on its own: wait for the rest
      setRecording(null);
      const result = bind(useSettings.getState().settings.shortcuts ?? {}, recording, combo);
      if (result.ok) save(result.bindings);
      else setClash({ id: recording, combo, other: result.conflict });
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [recording]);

  const start = (id: ShortcutId) => {
    setClash(null);
    setProblem(null);
    setRecording(recording === id ? null : id);
  };

  return (
    <Stack gap="sm">
      {clash && (
        <Alert color="yellow" variant="light" data-testid="shortcut-conflict" title="That key is taken">
          <Stack gap="xs">
            <Text size="sm">
              {say(clash.combo)} is already used for “{shortcutDef(clash.other).description}”.
            </Text>
            <Group gap="xs">
              <Button
                size="xs"
                variant="light"
                onClick={() => {
                  const result = bind(bindings, clash.id, clash.combo, true);
                  if (result.ok) save(result.bindings);
                  setClash(null);
                }}
              >
                Swap them
              </Button>
              <Button size="xs" variant="default" onClick={() => setClash(null)}>
                Keep it as it was
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {problem && (
        <Alert color="yellow" variant="light" data-testid="shortcut-problem" withCloseButton onClose={() => setProblem(null)}>
          {problem}
        </Alert>
      )}
      <Table verticalSpacing={6} data-testid="shortcut-settings">
        <Table.Tbody>
          {SHORTCUTS.map((s) => {
            const changed = bindings[s.id] !== undefined;
            const isRecording = recording === s.id;
            return (
              <Table.Tr key={s.id} data-shortcut={s.id}>
                <Table.Td>
                  <Text size="sm">{s.description}</Text>
                </Table.Td>
                <Table.Td w={260}>
                  <Button
                    variant={isRecording ? 'filled' : 'default'}
                    size="xs"
                    leftSection={<IconKeyboard size={14} />}
                    onClick={() => start(s.id)}
                    aria-label={`Change the key for ${s.description}`}
                    data-testid="shortcut-record"
                  >
                    {isRecording ? (
                      'Press a key… (Esc cancels)'
                    ) : (
                      <Group gap={8} wrap="nowrap">
                        {resolved[s.id].map((k) => (
                          <Combo key={k} combo={k} />
                        ))}
                      </Group>
                    )}
                  </Button>
                </Table.Td>
                <Table.Td w={40}>
                  {changed && (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      aria-label={`Reset the key for ${s.description}`}
                      data-testid="shortcut-reset"
                      onClick={() => {
                        const result = resetOne(bindings, s.id);
                        if (result.ok) save(result.bindings);
                        else
                          setProblem(
                            `Its default key is now used for “${shortcutDef(result.conflict).description}”: change that one first.`,
                          );
                      }}
                    >
                      <IconRestore size={14} />
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <Group>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconRestore size={14} />}
          disabled={Object.keys(bindings).length === 0}
          onClick={() => {
            setClash(null);
            setProblem(null);
            save({});
          }}
          data-testid="shortcut-reset-all"
        >
          Reset all to defaults
        </Button>
      </Group>
    </Stack>
  );
}
