import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../api';
import { AuthCard } from '../components/AuthCard';
import { useAuth } from '../stores/auth';

/** First run: the server has no account yet; this one becomes its administrator. */
export function SetupPage() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = again.length > 0 && again !== password;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (password !== again) return;
    setBusy(true);
    setError(null);
    try {
      await useAuth.getState().setup(name.trim(), password);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Welcome to Tonearm" subtitle="Create the administrator account to get started.">
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="md">
          {error && (
            <Alert color="red" variant="light">
              {error}
            </Alert>
          )}
          <TextInput label="User name" autoComplete="username" required value={name} onChange={(e) => setName(e.currentTarget.value)} autoFocus />
          <PasswordInput
            label="Password"
            description="At least 8 characters."
            autoComplete="new-password"
            required
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <PasswordInput
            label="Password again"
            autoComplete="new-password"
            required
            value={again}
            error={mismatch ? 'The passwords differ' : undefined}
            onChange={(e) => setAgain(e.currentTarget.value)}
          />
          <Button type="submit" loading={busy} disabled={mismatch} fullWidth size="md">
            Create account
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
