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

/** The server's base URL without a trailing slash; '' means the page's own origin. */
export function serverUrl(): string {
  return (storage()?.getItem(SERVER_KEY) ?? '').replace(/\/+$/, '');
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
      credentials: serverUrl() ? 'include' : 'same-origin',
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
