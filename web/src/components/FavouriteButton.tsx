import { ActionIcon, Tooltip } from '@mantine/core';
import { IconHeart, IconHeartFilled } from '@tabler/icons-react';
import { useEffect } from 'react';
import type { FavouriteKind } from '../api/types';
import { attempt } from '../lib/notify';
import { toggleFavourite, useFavourite, useFavourites } from '../stores/favourites';

interface Props {
  kind: FavouriteKind;
  id: number;
  /** The item's own `favourite` flag, if its view carried one. */
  flag?: boolean;
  /** What the item is, for the label read out ("Add Night Drive to favourites"). */
  name: string;
  size?: number;
  iconSize?: number;
  variant?: string;
  radius?: string;
  testId?: string;
  className?: string;
}

/** The heart: filled when the item is a favourite; a click flips it at once (rolled back,
 *  with a notification, if the server refuses). */
export function FavouriteButton({ kind, id, flag, name, size = 36, iconSize = 20, variant, radius, testId, className }: Props) {
  const on = useFavourite(kind, id, flag);
  // Tracks from the player's state come without a flag: ask once.
  useEffect(() => {
    if (on === undefined && kind === 'tracks') void useFavourites.getState().ensureTrack(id).catch(() => undefined);
  }, [on, kind, id]);
  const label = on ? 'Remove from favourites' : 'Add to favourites';
  return (
    <Tooltip label={label}>
      <ActionIcon
        size={size}
        radius={radius}
        variant={variant}
        aria-label={`${label}: ${name}`}
        aria-pressed={on ?? false}
        data-testid={testId}
        className={className}
        data-favourite={on === undefined ? undefined : String(on)}
        disabled={on === undefined}
        color={on ? 'tonearm' : 'gray'}
        onClick={(e) => {
          e.stopPropagation();
          if (on !== undefined) attempt(() => toggleFavourite(kind, id, on), 'Cannot change your favourites');
        }}
      >
        {on ? <IconHeartFilled size={iconSize} /> : <IconHeart size={iconSize} />}
      </ActionIcon>
    </Tooltip>
  );
}
