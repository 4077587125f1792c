import { Badge, Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import classes from './Hero.module.css';

interface Props {
  art: ReactNode;
  kind: string;
  title: string;
  meta: ReactNode;
  actions: ReactNode;
}

/** The top of an album, artist or playlist page: big art, title, facts, actions. */
export function Hero({ art, kind, title, meta, actions }: Props) {
  return (
    <div className={classes.hero}>
      <div className={classes.art}>{art}</div>
      <Stack gap={10} className={classes.text}>
        <Badge variant="light" size="sm" w="fit-content">
          {kind}
        </Badge>
        <Title order={1} className={classes.title} data-testid="page-title">
          {title}
        </Title>
        <Text c="dimmed" size="sm" component="div">
          {meta}
        </Text>
        <Group gap="sm" mt={8}>
          {actions}
        </Group>
      </Stack>
    </div>
  );
}
