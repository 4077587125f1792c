// The desktop app (clients/tauri) runs this same web UI; these are its calls into the app.
// In a browser there is no `window.__TAURI__` and every function here is a no-op: the page
// then talks to its own origin as always.
import { setDesktopServer } from '../api/client';

interface TauriGlobal {
  core: { invoke<T>(command: string, args?: Record<string, unknown>): Promise<T> };
  event: { listen<T>(event: string, handler: (event: { payload: T }) => void): Promise<() => void> };
}

function tauri(): TauriGlobal | null {
  return (globalThis as { __TAURI__?: TauriGlobal }).__TAURI__ ?? null;
}

export function isDesktop(): boolean {
  return tauri() !== null;
}

export interface DesktopInfo {
  server_url: string | null;
  presence_enabled: boolean;
  discord_app_id: string | null;
  built_in_app_id: boolean;
  version: string;
}

export interface ServerFound {
  url: string;
  version: string;
}

export interface ParsedAddress {
  url: string;
  scheme: string;
  host: string;
  port: number;
  path: string;
}

/** What the setup screen asks about: a whole address, or its parts. */
export type AddressInput =
  | { kind: 'url'; url: string }
  | { kind: 'parts'; scheme: string; host: string; port: string | null };

/** A refusal from the app, with the code of what went wrong (see clients/tauri/src-tauri/src/check.rs). */
export class DesktopError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DesktopError';
  }
}

async function invoke<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const t = tauri();
  if (!t) throw new DesktopError('not_desktop', 'Only the desktop app can do this.');
  try {
    return await t.core.invoke<T>(command, args);
  } catch (err) {
    const problem = err as { code?: string; message?: string } | string;
    if (typeof problem === 'object' && problem?.message) throw new DesktopError(problem.code ?? 'error', problem.message);
    throw new DesktopError('error', String(problem));
  }
}

/** Reads the app's settings and points the API client at the saved server. Before the first render. */
export async function initDesktop(): Promise<DesktopInfo | null> {
  if (!isDesktop()) return null;
  const info = await invoke<DesktopInfo>('desktop_config');
  setDesktopServer(info.server_url);
  return info;
}

export function desktopConfig(): Promise<DesktopInfo> {
  return invoke<DesktopInfo>('desktop_config');
}

export function parseServer(input: AddressInput): Promise<ParsedAddress> {
  return invoke<ParsedAddress>('parse_server', { input });
}

/** Asks the server itself (from the app, which can tell a wrong port from a TLS problem). */
export function checkServer(input: AddressInput): Promise<ServerFound> {
  return invoke<ServerFound>('check_server', { input, origin: window.location.origin });
}

/** Checks again and keeps the address; the API client uses it from now on. */
export async function saveServer(input: AddressInput): Promise<ServerFound> {
  const found = await invoke<ServerFound>('save_server', { input, origin: window.location.origin });
  setDesktopServer(found.url);
  return found;
}

export function setPresence(enabled: boolean, appId: string | null): Promise<DesktopInfo> {
  return invoke<DesktopInfo>('set_presence', { enabled, appId });
}

/** The session token for the Discord presence companion (null: signed out). */
export function presenceSession(token: string | null): void {
  if (isDesktop()) void invoke('presence_session', { token }).catch(() => undefined);
}

/** What the tray menu shows: Play or Pause, and the track (first line, tooltip). */
export function playerStatus(playing: boolean, title: string | null): void {
  if (isDesktop()) void invoke('player_status', { playing, title }).catch(() => undefined);
}

export type TrayAction = 'toggle' | 'next' | 'previous';

/** The tray's Play/Pause, Next and Previous. Returns the unsubscribe function. */
export function onTray(handler: (action: TrayAction) => void): () => void {
  const t = tauri();
  if (!t) return () => undefined;
  let stop: (() => void) | null = null;
  let cancelled = false;
  void t.event.listen<TrayAction>('tonearm://tray', (event) => handler(event.payload)).then((unlisten) => {
    if (cancelled) unlisten();
    else stop = unlisten;
  });
  return () => {
    cancelled = true;
    stop?.();
  };
}
