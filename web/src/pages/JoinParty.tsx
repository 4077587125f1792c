// Opening an invite link (/party/<id>): join at once when the party needs no code (or we
// are in it already), otherwise ask for the code the host shows.
import { Button, Modal, PinInput, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { ApiError, errorMessage } from '../api';
import { notifyDone } from '../lib/notify';
import { useParty } from '../stores/party';

/** What to tell a person whose code was not taken. */
export function joinErrorText(err: unknown): string {
  if (err instanceof ApiError && err.code === 'join_refused') {
    return 'That code is not right, or this party has ended.';
  }
  if (err instanceof ApiError && err.code === 'join_locked_out') {
    return 'Too many wrong codes. Wait a quarter of an hour, then try again.';
  }
  return errorMessage(err);
}

export function JoinPartyPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [asking, setAsking] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tried = useRef<string | null>(null);

  const joined = (hostName: string | null) => {
    notifyDone(hostName ? `You joined ${hostName}’s listen party` : 'You joined the listen party');
    navigate('/', { replace: true });
  };

  useEffect(() => {
    if (tried.current === id) return; // StrictMode runs effects twice
    tried.current = id;
    if (useParty.getState().party?.id === id) {
      navigate('/', { replace: true });
      return;
    }
    // Without a code first: a party that needs none (or that we are in) lets us in at once.
    useParty
      .getState()
      .join(id)
      .then((party) => joined(party.host.name))
      .catch((err: unknown) => {
        setAsking(true);
        if (!(err instanceof ApiError && err.code === 'join_refused')) setError(joinErrorText(err));
      });
  }, [id]);

  const submit = async (value: string) => {
    if (value.length !== 4 || busy) return;
    setBusy(true);
    setError(null);
    try {
      const party = await useParty.getState().join(id, value);
      joined(party.host.name);
    } catch (err) {
      setError(joinErrorText(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={asking} onClose={() => navigate('/', { replace: true })} title="Join a listen party" centered>
      <Stack gap="md" align="center" data-testid="join-dialog">
        <Text size="sm" c="dimmed" ta="center">
          Enter the 4-digit code the host sees in their listen-party menu.
        </Text>
        <PinInput
          length={4}
          type="number"
          inputMode="numeric"
          oneTimeCode
          size="lg"
          autoFocus
          value={code}
          onChange={setCode}
          onComplete={(value) => void submit(value)}
          error={error !== null}
          aria-label="Party code"
          data-testid="join-code"
          disabled={busy}
        />
        {error && (
          <Text size="sm" c="red" ta="center" data-testid="join-error">
            {error}
          </Text>
        )}
        <Button fullWidth onClick={() => void submit(code)} disabled={code.length !== 4} loading={busy}>
          Join
        </Button>
      </Stack>
    </Modal>
  );
}
