// The desktop app's first run (and Settings → Server → Change): where the Tonearm server is.
// The address is checked by the app against the server's /healthz before it is kept, and
// each way that can fail gets its own title and sentence.
import { Alert, Anchor, Button, Group, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { AuthCard } from '../components/AuthCard';
import { DesktopError, parseServer, saveServer, type AddressInput, type ServerFound } from './bridge';

/** A short title for each code of clients/tauri/src-tauri/src/{address,check}.rs. */
export const PROBLEM_TITLES: Record<string, string> = {
  empty: 'Enter an address',
  invalid_address: 'Not an address',
  invalid_host: 'Not a host name',
  invalid_port: 'Not a port',
  unsupported_scheme: 'Not http or https',
  host_not_found: 'Server not found',
  connection_refused: 'Nothing on that port',
  unreachable: 'Cannot reach the server',
  no_answer: 'No answer',
  not_http: 'Not a web server',
  not_tonearm: 'Not a Tonearm server',
  redirected: 'The server points elsewhere',
  tls_certificate: 'Certificate not trusted',
  tls_error: 'Secure connection failed',
  tls_not_offered: 'The server has no https',
  tls_required: 'The server wants https',
  server_too_old: 'Server too old',
  origin_not_allowed: 'The server does not allow the app',
};

export function problemTitle(code: string): string {
  return PROBLEM_TITLES[code] ?? 'Cannot connect';
}

type Mode = 'url' | 'parts';

export function addressInput(mode: Mode, url: string, scheme: string, host: string, port: string): AddressInput {
  return mode === 'url' ? { kind: 'url', url } : { kind: 'parts', scheme, host, port: port.trim() || null };
}

export function ServerSetup({ current, onDone, onCancel }: { current: string | null; onDone: (found: ServerFound) => void; onCancel?: () => void }) {
  const [mode, setMode] = useState<Mode>('url');
  const [url, setUrl] = useState(current ?? '');
  const [scheme, setScheme] = useState('http');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('');
  const [preview, setPreview] = useState<string | null>(null);
  const [problem, setProblem] = useState<DesktopError | null>(null);
  const [found, setFound] = useState<ServerFound | null>(null);
  const [busy, setBusy] = useState(false);
  const input = addressInput(mode, url, scheme, host, port);
  const empty = mode === 'url' ? !url.trim() : !host.trim();

  // What the app will connect to, as the address is typed (no network).
  useEffect(() => {
    if (empty) {
      setPreview(null);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      parseServer(input)
        .then((parsed) => !stale && setPreview(parsed.url))
        .catch(() => !stale && setPreview(null));
    }, 200);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [mode, url, scheme, host, port]); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const result = await saveServer(input);
      setFound(result);
      onDone(result);
    } catch (err) {
      setProblem(err instanceof DesktopError ? err : new DesktopError('error', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Connect to your Tonearm server" subtitle="The address of the computer that runs tonearm serve.">
      <form onSubmit={(e) => void submit(e)} data-testid="server-setup">
        <Stack gap="md">
          <SegmentedControl
            fullWidth
            value={mode}
            onChange={(v) => setMode(v as Mode)}
            data={[
              { value: 'url', label: 'Address' },
              { value: 'parts', label: 'Host and port' },
            ]}
          />
          {mode === 'url' ? (
            <TextInput
              label="Server address"
              description="A name or IP without http:// means http on port 8080."
              placeholder="music.lan:8080 or https://music.example.org"
              value={url}
              onChange={(e) => setUrl(e.currentTarget.value)}
              autoFocus
              data-testid="server-address"
            />
          ) : (
            <Group grow align="flex-start" wrap="nowrap">
              <Select label="Scheme" data={['http', 'https']} value={scheme} onChange={(v) => setScheme(v ?? 'http')} allowDeselect={false} maw={110} />
              <TextInput label="Host" placeholder="music.lan" value={host} onChange={(e) => setHost(e.currentTarget.value)} style={{ flexGrow: 3 }} />
              <TextInput label="Port" placeholder={scheme === 'https' ? '443' : '80'} value={port} onChange={(e) => setPort(e.currentTarget.value)} maw={90} inputMode="numeric" />
            </Group>
          )}
          {preview && !problem && (
            <Text size="xs" c="dimmed" data-testid="server-preview">
              Will connect to {preview}
            </Text>
          )}
          {problem && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={problemTitle(problem.code)} data-testid="server-problem" data-code={problem.code}>
              {problem.message}
            </Alert>
          )}
          {found && (
            <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} data-testid="server-found">
              Tonearm {found.version} at {found.url}
            </Alert>
          )}
          <Button type="submit" loading={busy} disabled={empty} fullWidth size="md" data-testid="server-connect">
            Check and connect
          </Button>
          {onCancel && (
            <Anchor component="button" type="button" size="sm" c="dimmed" onClick={onCancel}>
              Keep {current}
            </Anchor>
          )}
        </Stack>
      </form>
    </AuthCard>
  );
}
