import { MantineProvider } from '@mantine/core';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coverUrl, ensureMediaToken, isCrossOrigin, serverUrl, setDesktopServer, setToken, streamUrl, withMediaToken } from '../api';
import { initDesktop } from '../desktop/bridge';
import { addressInput, PROBLEM_TITLES, problemTitle, ServerSetup } from '../desktop/ServerSetup';
import { theme } from '../theme';
import { mockFetch } from './helpers';

/** The app's side of `window.__TAURI__.core.invoke`: answers by command name. */
function fakeApp(answers: Record<string, (args: Record<string, unknown>) => unknown>) {
  const calls: { command: string; args: Record<string, unknown> }[] = [];
  vi.stubGlobal('__TAURI__', {
    core: {
      invoke: async (command: string, args: Record<string, unknown> = {}) => {
        calls.push({ command, args });
        const answer = answers[command];
        if (!answer) throw { code: 'unknown_command', message: command };
        return answer(args);
      },
    },
    event: { listen: async () => () => undefined },
  });
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  setDesktopServer(null);
  setToken(null);
});

describe('the API client in the desktop app', () => {
  beforeEach(() => setToken('session-token'));

  it('talks to the configured server with the bearer token and no cookies', async () => {
    setDesktopServer('http://music.lan:8080/');
    expect(serverUrl()).toBe('http://music.lan:8080');
    expect(isCrossOrigin()).toBe(true);
    const calls = mockFetch({ media_token: 'm.1.sig', expires_at: new Date(Date.now() + 24 * 3600e3).toISOString() });
    const fetchSpy = globalThis.fetch as unknown as { mock: { calls: [string, RequestInit][] } };
    await ensureMediaToken();
    expect(calls[0].url).toBe('http://music.lan:8080/api/v1/auth/media-token');
    const init = fetchSpy.mock.calls[0][1];
    expect(init.credentials).toBe('omit');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer session-token');
  });

  it('puts the media token on stream, cover and websocket URLs', async () => {
    setDesktopServer('http://music.lan:8080');
    mockFetch({ media_token: 'abc.123.sig', expires_at: new Date(Date.now() + 24 * 3600e3).toISOString() });
    await ensureMediaToken();
    expect(streamUrl(5)).toBe('http://music.lan:8080/api/v1/tracks/5/stream?media_token=abc.123.sig');
    expect(coverUrl(null, 64)).toBe('http://music.lan:8080/api/v1/covers/placeholder?width=64&height=64&media_token=abc.123.sig');
    expect(withMediaToken('/api/v1/me/ws')).toBe('/api/v1/me/ws?media_token=abc.123.sig');
    // A new session forgets the old token.
    setToken('another');
    expect(streamUrl(5)).toBe('http://music.lan:8080/api/v1/tracks/5/stream');
  });

  it('needs no media token on its own origin', async () => {
    const calls = mockFetch({});
    await ensureMediaToken();
    expect(calls).toHaveLength(0);
    expect(streamUrl(5)).toBe('/api/v1/tracks/5/stream');
  });

  it('starts from the server the app saved', async () => {
    const calls = fakeApp({
      desktop_config: () => ({ server_url: 'https://music.example.org', presence_enabled: true, discord_app_id: null, built_in_app_id: false, version: '0.1.0' }),
    });
    const info = await initDesktop();
    expect(info?.server_url).toBe('https://music.example.org');
    expect(serverUrl()).toBe('https://music.example.org');
    expect(calls.map((c) => c.command)).toEqual(['desktop_config']);
  });
});

describe('the server setup screen', () => {
  it('has a title for every problem the app can report', () => {
    // The codes come from the Rust side: a new one without a title fails here.
    const rust = ['address.rs', 'check.rs'].map((f) => readFileSync(`../clients/tauri/src-tauri/src/${f}`, 'utf8')).join('\n');
    const codes = new Set([...rust.matchAll(/(?:fail|invalid)\(\s*"([a-z_]+)"/g)].map((m) => m[1]));
    expect(codes.size).toBeGreaterThan(10);
    for (const code of codes) expect(PROBLEM_TITLES, code).toHaveProperty(code);
    expect(problemTitle('something_new')).toBe('Cannot connect');
  });

  it('sends a full address or its parts', () => {
    expect(addressInput('url', 'music.lan', 'http', '', '')).toEqual({ kind: 'url', url: 'music.lan' });
    expect(addressInput('parts', '', 'https', 'music.lan', ' ')).toEqual({ kind: 'parts', scheme: 'https', host: 'music.lan', port: null });
    expect(addressInput('parts', '', 'http', 'music.lan', '9000')).toEqual({ kind: 'parts', scheme: 'http', host: 'music.lan', port: '9000' });
  });

  it('shows what went wrong, then connects', async () => {
    let attempt = 0;
    const calls = fakeApp({
      parse_server: (args) => ({ url: `http://${(args.input as { url: string }).url}:8080` }),
      save_server: () => {
        attempt += 1;
        if (attempt === 1) throw { code: 'connection_refused', message: 'music.lan is there, but nothing is listening on port 8080.' };
        return { url: 'http://music.lan:8080', version: '0.1.0' };
      },
    });
    const done = vi.fn();
    render(
      <MantineProvider theme={theme}>
        <ServerSetup current={null} onDone={done} />
      </MantineProvider>,
    );
    fireEvent.change(screen.getByTestId('server-address'), { target: { value: 'music.lan' } });
    await waitFor(() => expect(screen.getByTestId('server-preview')).toHaveTextContent('Will connect to http://music.lan:8080'));
    fireEvent.click(screen.getByTestId('server-connect'));
    const problem = await screen.findByTestId('server-problem');
    expect(problem).toHaveTextContent('Nothing on that port');
    expect(problem).toHaveTextContent('nothing is listening on port 8080');
    expect(done).not.toHaveBeenCalled();

    fireEvent.click(screen.getByTestId('server-connect'));
    await waitFor(() => expect(done).toHaveBeenCalledWith({ url: 'http://music.lan:8080', version: '0.1.0' }));
    const save = calls.filter((c) => c.command === 'save_server');
    expect(save[1].args).toEqual({ input: { kind: 'url', url: 'music.lan' }, origin: window.location.origin });
    expect(serverUrl()).toBe('http://music.lan:8080');
  });
});
