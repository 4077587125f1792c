import { useState } from 'react';
import { COVER_SIZE, coverUrl } from '../api';
import classes from './Cover.module.css';

interface Props {
  coverId: string | null | undefined;
  alt: string;
  /** The one size asked of the server (a 2× variant goes in srcset). */
  size?: number;
  radius?: number | string;
  className?: string;
}

/** A square cover: a fixed-size request, object-fit cover, the placeholder for missing art. */
export function Cover({ coverId, alt, size = COVER_SIZE, radius, className }: Props) {
  const [failed, setFailed] = useState(false);
  const id = failed ? null : coverId;
  return (
    <div className={`${classes.box} ${className ?? ''}`} style={radius !== undefined ? { borderRadius: radius } : undefined}>
      <img
        className={classes.img}
        src={coverUrl(id, size)}
        srcSet={`${coverUrl(id, size)} 1x, ${coverUrl(id, size * 2)} 2x`}
        alt={alt}
        loading="lazy"
        decoding="async"
        draggable={false}
        onError={() => setFailed(true)}
      />
    </div>
  );
}
