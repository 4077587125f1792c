import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { Async } from '../hooks/useAsync';

/** Shows a spinner while loading, a readable error with a retry, or the content. */
export function Loadable<T>({ state, children }: { state: Async<T>; children: (data: T) => ReactNode }) {
  if (state.error) {
    return (
      <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load this page" maw={560}>
        <Stack gap="sm" align="flex-start">
          <Text size="sm">{state.error}</Text>
          <Button size="xs" variant="light" color="red" onClick={state.reload}>
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  }
  if (state.data === null) {
    return (
      <Center py={80}>
        <Loader />
      </Center>
    );
  }
  return <>{children(state.data)}</>;
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Stack align="center" gap={6} py={60}>
      <Text fw={600}>{title}</Text>
      {children && (
        <Text c="dimmed" size="sm" ta="center" maw={420}>
          {children}
        </Text>
      )}
    </Stack>
  );
}
