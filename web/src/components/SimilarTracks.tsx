import { Alert, Badge, Group, Stack } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import type { Reason, Similar, Track } from '../api/types';
import { Empty } from './Loadable';
import { TrackList } from './TrackList';

/** Why a track was recommended: the server's reasons, strongest first. */
export function Reasons({ reasons }: { reasons: Reason[] }) {
  if (reasons.length === 0) return null;
  return (
    <Group gap={4} mt={2} wrap="nowrap" data-testid="reasons">
      {reasons.slice(0, 3).map((r) => (
        <Badge key={r} size="xs" radius="sm" variant="light" color={r === 'sounds alike' ? 'tonearm' : 'gray'}>
          {r}
        </Badge>
      ))}
    </Group>
  );
}

interface Props {
  result: Similar;
  onPlay(track: Track): Promise<unknown>;
}

/** The tracks like one track, each with its reasons; says so when they go by metadata only. */
export function SimilarTracks({ result, onPlay }: Props) {
  return (
    <Stack gap="md">
      {!result.analysed && (
        <Alert variant="light" color="gray" icon={<IconInfoCircle />} data-testid="not-analysed" maw={720}>
          This track has not been analysed yet, so these go by artist, genre and year only. Tracks that sound alike
          follow once the analysis reaches it.
        </Alert>
      )}
      {result.items.length === 0 ? (
        <Empty title="Nothing similar yet">
          No other track shares its sound, artist or genre (its own album is left out).
        </Empty>
      ) : (
        <TrackList
          tracks={result.items}
          onPlay={onPlay}
          showAlbum
          showCover
          numbered
          detail={(_, i) => <Reasons reasons={result.items[i].reasons} />}
        />
      )}
    </Stack>
  );
}
