import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../api';
import { AuthCard, ServerField } from '../components/AuthCard';
import { useAuth } from '../stores/auth';

export function LoginPage() {
  const notice = useAuth((s) => s.error);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await useAuth.getState().signIn(name.trim(), password);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in to Tonearm" subtitle="Your music, from your own drives.">
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="md">
          {(error ?? notice) && (
            <Alert color="red" variant="light" data-testid="login-error">
              {error ?? notice}
            </Alert>
          )}
          <TextInput label="User name" autoComplete="username" required value={name} onChange={(e) => setName(e.currentTarget.value)} autoFocus />
          <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          <Button type="submit" loading={busy} fullWidth size="md">
            Sign in
          </Button>
          <ServerField onChange={() => void useAuth.getState().check()} />
        </Stack>
      </form>
    </AuthCard>
  );
}
