import { ActionIcon, Group, Text, Title } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router-dom';
import { columnsFor, GRID_BREAKPOINTS, pageOf, ROW_BREAKPOINTS } from '../lib/grid';
import classes from './CardGrid.module.css';

/** A grid of uniform cards: fixed columns for the container's width, minmax(0, 1fr) each. */
export function CardGrid({ children, columns }: { children: ReactNode; columns?: number }) {
  const { ref, width } = useElementSize();
  const cols = columns ?? (width ? columnsFor(width, GRID_BREAKPOINTS) : 0);
  return (
    <div ref={ref} className={classes.grid} style={{ '--cols': cols || 4 } as React.CSSProperties} data-testid="card-grid">
      {width ? children : null}
    </div>
  );
}

interface RowProps<T> {
  title: string;
  items: T[];
  render(item: T): ReactNode;
  more?: string;
  empty?: ReactNode;
}

/** One row of cards with ‹ › paging: as many cards as the width allows, all the same size. */
export function CardRow<T>({ title, items, render, more, empty }: RowProps<T>) {
  const { ref, width } = useElementSize();
  const [page, setPage] = useState(0);
  const cols = width ? columnsFor(width, ROW_BREAKPOINTS) : 0;
  const view = pageOf(items, cols || 1, page);
  return (
    <section className={classes.row} aria-label={title}>
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Title order={3} size="h4">
            {title}
          </Title>
          {more && (
            <Text component={Link} to={more} size="sm" c="dimmed" className={classes.more}>
              See all
            </Text>
          )}
        </Group>
        {view.pages > 1 && (
          <Group gap={4}>
            <ActionIcon aria-label="Previous" disabled={view.page === 0} onClick={() => setPage(view.page - 1)}>
              <IconChevronLeft size={18} />
            </ActionIcon>
            <ActionIcon aria-label="Next" disabled={view.page >= view.pages - 1} onClick={() => setPage(view.page + 1)}>
              <IconChevronRight size={18} />
            </ActionIcon>
          </Group>
        )}
      </Group>
      <div ref={ref} className={classes.grid} style={{ '--cols': cols || 4 } as React.CSSProperties}>
        {items.length === 0 ? <div className={classes.empty}>{empty}</div> : cols > 0 && view.items.map(render)}
      </div>
    </section>
  );
}
