// Cards for each kind of thing, all on the same uniform MediaCard.
import { Text } from '@mantine/core';
import type { Album, Artist, Mix, Playlist, Track } from '../api/types';
import { plural } from '../lib/format';
import { usePlayer } from '../stores/player';
import classes from './cards.module.css';
import { MediaCard } from './MediaCard';

const play = () => usePlayer.getState();

export function AlbumCard({ album }: { album: Album }) {
  return (
    <MediaCard
      to={`/albums/${album.id}`}
      title={album.title}
      subtitle={[album.album_artist, album.year].filter(Boolean).join(' · ')}
      coverId={album.cover_id}
      onPlay={() => play().playContext({ type: 'album', id: album.id })}
      testId="album-card"
      drag={{ kind: 'album', id: album.id, title: album.title }}
    />
  );
}

export function TrackCard({ track }: { track: Track }) {
  return (
    <MediaCard
      to={`/albums/${track.album_id}`}
      title={track.title}
      subtitle={track.artist}
      coverId={track.cover_id}
      onPlay={() => play().playContext({ type: 'tracks', track_ids: [track.id] })}
      testId="track-card"
      drag={{ kind: 'tracks', ids: [track.id], title: track.title }}
    />
  );
}

export function PlaylistCard({ playlist }: { playlist: Playlist }) {
  return (
    <MediaCard
      to={`/playlists/${playlist.id}`}
      title={playlist.name}
      subtitle={plural(playlist.track_count, 'track')}
      coverId={playlist.cover_id}
      onPlay={playlist.track_count > 0 ? () => play().playContext({ type: 'playlist', id: playlist.id }) : undefined}
      testId="playlist-card"
    />
  );
}

export function MixCard({ mix }: { mix: Mix }) {
  return (
    <MediaCard
      to={`/mixes/${mix.id}`}
      title={mix.name}
      subtitle={mix.description || plural(mix.track_count, 'track')}
      coverId={mix.cover_id}
      onPlay={mix.track_count > 0 ? () => play().playContext({ type: 'mix', id: mix.id }) : undefined}
      testId="mix-card"
    />
  );
}

function initials(name: string): string {
  const words = name.replace(/[^\p{L}\p{N} ]/gu, '').split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[1][0] : (words[0] ?? '?').slice(0, 2)).toUpperCase();
}

/** A colour per name, so artists are told apart at a glance. */
export function hue(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return h;
}

export function ArtistArt({ name }: { name: string }) {
  const h = hue(name);
  return (
    <div
      className={classes.artist}
      style={{ background: `linear-gradient(135deg, hsl(${h} 55% 42%), hsl(${(h + 40) % 360} 60% 28%))` }}
    >
      <Text className={classes.initials}>{initials(name)}</Text>
    </div>
  );
}

export function ArtistCard({ artist }: { artist: Artist }) {
  return (
    <MediaCard
      to={`/artists/${artist.id}`}
      title={artist.name}
      subtitle={`${plural(artist.album_count, 'album')} · ${plural(artist.track_count, 'track')}`}
      art={<ArtistArt name={artist.name} />}
      onPlay={() => play().playContext({ type: 'artist', id: artist.id })}
      testId="artist-card"
    />
  );
}
