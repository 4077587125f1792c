import { Modal, Table, Text } from '@mantine/core';
import { api } from '../api';
import { useAsync } from '../hooks/useAsync';
import { trackInfoRows } from '../lib/trackInfo';
import { Loadable } from './Loadable';

/** A track's details (Info in its menu): asked of the server when opened, since lists and
 *  player states carry only part of them (no file path, sample rate or ReplayGain). */
export function TrackInfo({ trackId, title, onClose }: { trackId: number; title: string; onClose(): void }) {
  const track = useAsync(() => api.track(trackId), [trackId]);
  return (
    <Modal opened onClose={onClose} title={`Info: ${title}`} centered size="lg">
      <Loadable state={track}>
        {(t) => (
          <Table data-testid="track-info" verticalSpacing={6}>
            <Table.Tbody>
              {trackInfoRows(t).map(([label, value]) => (
                <Table.Tr key={label} data-field={label}>
                  <Table.Th w={170}>
                    <Text size="sm" c="dimmed">
                      {label}
                    </Text>
                  </Table.Th>
                  <Table.Td>
                    <Text size="sm" ff={label === 'File' ? 'monospace' : undefined} style={{ wordBreak: 'break-all' }}>
                      {value}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Loadable>
    </Modal>
  );
}
