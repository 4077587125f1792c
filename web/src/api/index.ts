// One function per API call the UI makes.
import { apiUrl, request, withMediaToken } from './client';
import type {
  Album,
  Artist,
  ContextType,
  FavouriteItems,
  FavouriteKind,
  Home,
  Library,
  Mix,
  Page,
  Party,
  PlayerState,
  PlayerStep,
  Playlist,
  Repeat,
  ScanState,
  SearchResult,
  Settings,
  Similar,
  Track,
  User,
  Waveform,
} from './types';

export * from './client';
export type * from './types';

interface SignedIn {
  user: User;
  token: string;
  csrf_token: string;
}

export const api = {
  setupNeeded: () => request<{ needed: boolean }>('/api/v1/auth/setup', { anonymous: true }),
  setup: (name: string, password: string) =>
    request<SignedIn>('/api/v1/auth/setup', { method: 'POST', body: { name, password }, anonymous: true }),
  login: (name: string, password: string) =>
    request<SignedIn>('/api/v1/auth/login', { method: 'POST', body: { name, password }, anonymous: true }),
  logout: () => request<void>('/api/v1/auth/logout', { method: 'POST' }),
  me: () => request<User>('/api/v1/me'),

  home: (limit = 20) => request<Home>(`/api/v1/me/home?limit=${limit}`),
  albums: (params: { limit?: number; offset?: number; sort?: string; artist_id?: number } = {}) =>
    request<Page<Album>>(`/api/v1/albums?${query(params)}`),
  album: (id: number) => request<Album>(`/api/v1/albums/${id}`),
  artists: (params: { limit?: number; offset?: number } = {}) =>
    request<Page<Artist>>(`/api/v1/artists?${query(params)}`),
  artist: (id: number) => request<{ artist: Artist; albums: Album[] }>(`/api/v1/artists/${id}`),
  tracks: (params: { limit?: number; offset?: number; artist_id?: number } = {}) =>
    request<Page<Track>>(`/api/v1/tracks?${query(params)}`),
  search: (q: string, limit = 20) =>
    request<SearchResult>(`/api/v1/search?${query({ q, limit })}`),

  playlists: () => request<Page<Playlist>>('/api/v1/playlists?limit=500'),
  playlist: (id: number) => request<Playlist>(`/api/v1/playlists/${id}`),
  createPlaylist: (name: string, track_ids: number[] = []) =>
    request<Playlist>('/api/v1/playlists', { method: 'POST', body: { name, track_ids } }),
  updatePlaylist: (id: number, body: { name?: string; track_ids?: number[] }) =>
    request<Playlist>(`/api/v1/playlists/${id}`, { method: 'PATCH', body }),
  deletePlaylist: (id: number) => request<void>(`/api/v1/playlists/${id}`, { method: 'DELETE' }),
  addToPlaylist: (id: number, track_ids: number[]) =>
    request<Playlist>(`/api/v1/playlists/${id}/tracks`, { method: 'POST', body: { track_ids } }),

  favourites: <K extends FavouriteKind>(kind: K, params: { limit?: number; offset?: number } = {}) =>
    request<Page<FavouriteItems[K]>>(`/api/v1/me/favourites/${kind}?${query(params)}`),
  addFavourite: (kind: FavouriteKind, id: number) =>
    request<void>(`/api/v1/me/favourites/${kind}/${id}`, { method: 'PUT' }),
  removeFavourite: (kind: FavouriteKind, id: number) =>
    request<void>(`/api/v1/me/favourites/${kind}/${id}`, { method: 'DELETE' }),

  libraries: () => request<Page<Library>>('/api/v1/libraries'),
  scanState: () => request<ScanState>('/api/v1/scan'),
  scan: (full = false) => request<unknown>('/api/v1/scan', { method: 'POST', body: { full } }),

  settings: () => request<Settings>('/api/v1/me/settings'),
  saveSettings: (patch: Partial<Settings>, keepalive = false) =>
    request<Settings>('/api/v1/me/settings', { method: 'PUT', body: patch, keepalive }),
  track: (id: number) => request<Track>(`/api/v1/tracks/${id}`),
  similar: (trackId: number, limit = 30) =>
    request<Similar>(`/api/v1/tracks/${trackId}/similar?limit=${limit}`),
  mixes: () => request<{ items: Mix[] }>('/api/v1/me/mixes'),
  mix: (id: number) => request<Mix>(`/api/v1/me/mixes/${id}`),
  refreshMixes: () => request<{ items: Mix[] }>('/api/v1/me/mixes/refresh', { method: 'POST' }),
  waveform: (trackId: number, signal?: AbortSignal) =>
    request<Waveform>(`/api/v1/tracks/${trackId}/waveform`, { signal }),
  listen: (track_id: number, ms_played: number, context?: { type: string; id: string | number | null }) =>
    request<unknown>('/api/v1/me/listens', {
      method: 'POST',
      body: { track_id, ms_played, context: context ?? undefined },
    }),

  player: () => request<PlayerState>('/api/v1/me/player'),
  updatePlayer: (body: { shuffle?: boolean; repeat?: Repeat; position_ms?: number; playing?: boolean }) =>
    request<PlayerState>('/api/v1/me/player', { method: 'PUT', body }),
  play: (
    context: { type: ContextType; id?: number | string; track_ids?: number[] },
    start_track_id?: number,
    shuffle?: boolean,
  ) =>
    request<PlayerState>('/api/v1/me/player/play', {
      method: 'POST',
      body: { context, start_track_id, shuffle },
    }),
  next: (explicit: boolean) =>
    request<PlayerStep>('/api/v1/me/player/next', { method: 'POST', body: { explicit } }),
  previous: (position_ms: number) =>
    request<PlayerStep>('/api/v1/me/player/previous', { method: 'POST', body: { position_ms } }),
  queue: (track_id: number, mode: 'next' | 'last') =>
    request<PlayerState>('/api/v1/me/player/queue', { method: 'POST', body: { track_id, mode } }),
  queueRemove: (entryId: number) =>
    request<PlayerState>(`/api/v1/me/player/queue/${entryId}`, { method: 'DELETE' }),
  queueMove: (entryId: number, index: number) =>
    request<PlayerState>(`/api/v1/me/player/queue/${entryId}/move`, { method: 'POST', body: { index } }),

  myParty: () => request<{ party: Party | null }>('/api/v1/me/party'),
  startParty: (require_code: boolean, allow_suggestions = false) =>
    request<Party>('/api/v1/parties', { method: 'POST', body: { require_code, allow_suggestions } }),
  joinParty: (id: string, code?: string) =>
    request<Party>(`/api/v1/parties/${encodeURIComponent(id)}/join`, { method: 'POST', body: code ? { code } : {} }),
  leaveParty: (id: string, body: { end?: boolean; hand_to?: number } = {}) =>
    request<void>(`/api/v1/parties/${encodeURIComponent(id)}/leave`, { method: 'POST', body }),
  endParty: (id: string) => request<void>(`/api/v1/parties/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  handOver: (id: string, user_id: number) =>
    request<Party>(`/api/v1/parties/${encodeURIComponent(id)}/host`, { method: 'POST', body: { user_id } }),
  newPartyCode: (id: string) => request<Party>(`/api/v1/parties/${encodeURIComponent(id)}/code`, { method: 'POST' }),
  removePartyCode: (id: string) =>
    request<Party>(`/api/v1/parties/${encodeURIComponent(id)}/code`, { method: 'DELETE' }),
  partySettings: (id: string, allow_suggestions: boolean) =>
    request<Party>(`/api/v1/parties/${encodeURIComponent(id)}`, { method: 'PATCH', body: { allow_suggestions } }),
  suggest: (id: string, track_id: number) =>
    request<unknown>(`/api/v1/parties/${encodeURIComponent(id)}/suggestions`, { method: 'POST', body: { track_id } }),
};

function query(params: Record<string, string | number | undefined>): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') out.set(key, String(value));
  }
  return out.toString();
}

export const COVER_SIZE = 300;

/** Cover URL at one fixed square size; albums without art get the server's placeholder. */
export function coverUrl(coverId: string | null | undefined, size: number = COVER_SIZE): string {
  const path = coverId ? `/api/v1/covers/${coverId}` : '/api/v1/covers/placeholder';
  return apiUrl(withMediaToken(`${path}?width=${size}&height=${size}`));
}

export function streamUrl(trackId: number): string {
  return apiUrl(withMediaToken(`/api/v1/tracks/${trackId}/stream`));
}

/** The track's original file, sent as an attachment under its own name (see the stream route). */
export function downloadUrl(trackId: number): string {
  return apiUrl(withMediaToken(`/api/v1/tracks/${trackId}/stream?download=1`));
}
