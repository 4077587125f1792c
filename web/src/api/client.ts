// The HTTP client: the server's base URL (a setting, for the desktop app), the bearer token,
// and errors turned into ApiError with the server's own readable message.

const SERVER_KEY = 'tonearm.server';
const TOKEN_KEY = 'tonearm.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

// The desktop app keeps the server's address itself (checked, in its config directory) and
// hands it over at start; `undefined` means a browser, which uses the stored setting.
let desktopServer: string | null | undefined;

export function setDesktopServer(url: string | null): void {
  desktopServer = url ? url.replace(/\/+$/, '') : null;
  media = null;
}

/** The server's base URL without a trailing slash; '' means the page's own origin. */
export function serverUrl(): string {
  if (desktopServer !== undefined) return desktopServer ?? '';
  return (storage()?.getItem(SERVER_KEY) ?? '').replace(/\/+$/, '');
}

/** Another origin's server: bearer token only (no cookies), media tokens for media URLs. */
export function isCrossOrigin(): boolean {
  const base = serverUrl();
  if (!base) return false;
  try {
    return new URL(base).origin !== globalThis.location?.origin;
  } catch {
    return true;
  }
}

// <audio>, <img> and WebSocket send no Authorization header: on another origin their URLs
// carry a media token (a day long, GET only, media routes only; see api/media_token.py).
let media: { token: string; expires: number } | null = null;
let mediaPending: Promise<void> | null = null;
const MEDIA_REFRESH_MS = 12 * 3600 * 1000;

/** Fetches a media token when on another origin and the one we have has under 12 h left. */
export function ensureMediaToken(): Promise<void> {
  if (!isCrossOrigin() || !getToken()) return Promise.resolve();
  if (media && media.expires - Date.now() > MEDIA_REFRESH_MS) return Promise.resolve();
  mediaPending ??= request<{ media_token: string; expires_at: string }>('/api/v1/auth/media-token')
    .then((r) => {
      media = { token: r.media_token, expires: Date.parse(r.expires_at) };
    })
    .catch(() => undefined)
    .finally(() => {
      mediaPending = null;
    });
  return mediaPending;
}

/** An API path for a media element or a websocket: with the media token when it needs one. */
export function withMediaToken(path: string): string {
  if (!isCrossOrigin() || !media) return path;
  if (media.expires - Date.now() < MEDIA_REFRESH_MS) void ensureMediaToken();
  return `${path}${path.includes('?') ? '&' : '?'}media_token=${encodeURIComponent(media.token)}`;
}

export function setServerUrl(url: string): void {
  const clean = url.trim().replace(/\/+$/, '');
  if (clean) storage()?.setItem(SERVER_KEY, clean);
  else storage()?.removeItem(SERVER_KEY);
}

export function getToken(): string | null {
  return storage()?.getItem(TOKEN_KEY) ?? null;
}

export function setToken(token: string | null): void {
  if (token) storage()?.setItem(TOKEN_KEY, token);
  else storage()?.removeItem(TOKEN_KEY);
  media = null;
}

/** An absolute or same-origin URL of an API path (for <img>, <audio> and the websocket). */
export function apiUrl(path: string): string {
  return `${serverUrl()}${path}`;
}

export function wsUrl(path: string): string {
  const base = serverUrl() || window.location.origin;
  return base.replace(/^http/, 'ws') + path;
}

const listeners = new Set<() => void>();

/** Called when the server says the session is gone (401), so the app can ask to sign in. */
export function onUnauthorized(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Do not report a 401 as a lost session (the sign-in form itself). */
  anonymous?: boolean;
  /** Let the request outlive the page (saving settings as the tab closes). */
  keepalive?: boolean;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(apiUrl(path), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      keepalive: options.keepalive,
      // Another origin gets the bearer token only: cookies never cross (see api/cors.py).
      credentials: isCrossOrigin() ? 'omit' : 'same-origin',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'Cannot reach the Tonearm server. Is it running?');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 401 && !options.anonymous) listeners.forEach((l) => l());
    throw new ApiError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `The server answered ${response.status} ${response.statusText}`.trim(),
    );
  }
  return data as T;
}

/** A sentence for a person, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const text = err.message.charAt(0).toUpperCase() + err.message.slice(1);
    return /[.!?]$/.test(text) ? text : `${text}.`;
  }
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}
