// The shapes the Tonearm HTTP API answers with (see /api/v1/openapi.json).

export interface User {
  id: number;
  name: string;
  is_admin: boolean;
  disabled: boolean;
  created_at: string;
}

export interface ArtistRef {
  id: number;
  name: string;
}

export interface Track {
  id: number;
  title: string;
  artist: string;
  artists: ArtistRef[];
  album_id: number;
  album: string;
  album_artist: string;
  track_no: number | null;
  disc_no: number | null;
  year: number | null;
  genres: string[];
  duration: number;
  format: string;
  bitrate: number | null;
  cover_id: string | null;
  available: boolean;
  // The single-track view (GET /api/v1/tracks/{id}) has these; lists may too.
  path?: string;
  track_total?: number | null;
  disc_total?: number | null;
  date?: string | null;
  sample_rate?: number | null;
  channels?: number | null;
  mime?: string;
  size?: number;
  rg_track_gain?: number | null;
  rg_track_peak?: number | null;
  rg_album_gain?: number | null;
  rg_album_peak?: number | null;
  bpm?: number | null;
  key?: string | null;
  /** One of your favourites; absent where the view is not yours alone (player states, parties). */
  favourite?: boolean;
}

export interface Album {
  id: number;
  title: string;
  album_artist: string;
  album_artist_id: number | null;
  year: number | null;
  compilation: boolean;
  cover_id: string | null;
  track_count: number;
  duration: number;
  genres: string[];
  added_at: string;
  tracks?: Track[];
  favourite?: boolean;
}

export interface Artist {
  id: number;
  name: string;
  album_count: number;
  track_count: number;
  favourite?: boolean;
}

/** What can be a favourite, as the API's paths name it (/api/v1/me/favourites/{kind}). */
export type FavouriteKind = 'tracks' | 'albums' | 'artists';

export interface FavouriteItems {
  tracks: Track;
  albums: Album;
  artists: Artist;
}

export interface Playlist {
  id: number;
  owner_id: number;
  name: string;
  track_count: number;
  duration: number;
  cover_id: string | null;
  created_at: string;
  updated_at: string;
  tracks?: Track[];
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface Home {
  recent_tracks: Track[];
  recent_albums: Album[];
  recent_playlists: Playlist[];
  recently_added_albums: Album[];
}

export interface SearchResult {
  query: string;
  artists: Page<Artist>;
  albums: Page<Album>;
  tracks: Page<Track>;
}

export interface Library {
  id: number;
  path: string;
  status: 'unknown' | 'online' | 'offline';
  status_reason: string | null;
  track_count: number;
  last_scan_at: string | null;
}

export interface Scan {
  id: number;
  state: 'queued' | 'running' | 'done' | 'failed';
  requested_by: string | null;
  full_rescan: boolean;
  started_at: string | null;
  finished_at: string | null;
  progress: Record<string, number | string>;
  error: string | null;
}

export interface ScanState {
  state: 'idle' | 'queued' | 'running';
  current: Scan | null;
  last: Scan | null;
}

export type Repeat = 'off' | 'all' | 'one';
export type Source = 'queue' | 'context' | 'autoplay';
export type ContextType = 'album' | 'playlist' | 'artist' | 'mix' | 'tracks';

export interface QueueEntry {
  entry_id: number;
  track: Track | null;
}

export interface PlayerState {
  version: number;
  updated_at: string | null;
  current: { track: Track | null; source: Source; entry_id: number | null } | null;
  context: { type: string; id: number | string | null; track_count: number; index: number | null } | null;
  queue: QueueEntry[];
  next_tracks: Track[];
  shuffle: boolean;
  repeat: Repeat;
  volume: number;
  position_ms: number;
  playing: boolean;
}

export interface PlayerStep {
  track: Track | null;
  source: Source | null;
  state: PlayerState;
}

export interface WidgetLayout {
  visible?: boolean;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  mode?: string;
}

export type Theme = 'auto' | 'light' | 'dark';

export interface Settings {
  theme: Theme;
  volume: number;
  visualizers: Record<string, WidgetLayout>;
  /** Rebound keyboard shortcuts: action id (lib/shortcuts.ts) → key combination. */
  shortcuts: Record<string, string>;
}

/** A generated mix (GET /api/v1/me/mixes); plays as the context {type: 'mix', id}. */
export interface Mix {
  id: number;
  kind: 'taste' | 'recent' | 'discover' | 'genre';
  name: string;
  description: string;
  cover_id: string | null;
  track_count: number;
  duration: number;
  generated_at: string;
  tracks: Track[];
}

export type Reason =
  | 'sounds alike'
  | 'same artist'
  | 'same album artist'
  | 'same genre'
  | 'same era'
  | 'similar tags'
  | 'listened together';

export interface SimilarTrack extends Track {
  score: number;
  reasons: Reason[];
}

export interface Similar {
  track_id: number;
  /** False: the track is not analysed yet, so the results go by metadata only. */
  analysed: boolean;
  items: SimilarTrack[];
}

export interface Waveform {
  track_id: number;
  duration: number;
  peaks: number[];
}

export interface PartyMember {
  id: number;
  name: string;
  host: boolean;
  /** A party socket of theirs is open on some replica right now (false: joined, but away). */
  online: boolean;
}

export interface Party {
  id: string;
  /** The invite link's path (/party/<id>). */
  link: string;
  host: { id: number; name: string | null };
  members: PartyMember[];
  require_code: boolean;
  allow_suggestions: boolean;
  you_are_host: boolean;
  created_at: string;
  ended: boolean;
  /** The host's views only. */
  code?: string | null;
  code_rotated?: boolean;
}

export type PartyEventType =
  | 'sync' | 'started' | 'track' | 'play' | 'pause' | 'seek' | 'position' | 'queue' | 'members' | 'host'
  | 'settings' | 'code' | 'ended' | 'left';

/** A message of the party's websocket: the whole state, and what changed (`type`). */
export interface PartyEvent {
  type: PartyEventType;
  seq: number;
  track_id: number | null;
  position_ms: number;
  playing: boolean;
  server_time_ms: number;
  track: Track | null;
  queue: Track[];
  next_tracks: Track[];
  party: Party;
}
