import { ActionIcon, Group, Text, Title } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react';
import { type KeyboardEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { columnsFor, GRID_BREAKPOINTS, GRID_KEYS, neighbour, pageOf, ROW_BREAKPOINTS } from '../lib/grid';
import classes from './CardGrid.module.css';

// Keyboard: with a card focused, the arrows, Home and End move between cards (Enter opens the
// focused card's link, as any link). The grid keeps those keys even at an edge, so ←/→ there
// never skip the playing track (the global shortcuts leave keys whose default was prevented).

/** Which card (a child of the grid) holds the focus the key came from; null: not the grid's key. */
function claim(event: KeyboardEvent<HTMLElement>): number | null {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null;
  if (!GRID_KEYS.has(event.key)) return null;
  const target = event.target as Node;
  // The DOM, not React's tree: a menu portalled out of a card is not in the grid.
  const index = Array.prototype.findIndex.call(event.currentTarget.children, (card: Element) => card.contains(target));
  if (index < 0) return null;
  event.preventDefault();
  return index;
}

/** Focus card `index` of `grid`: its first link (the one Enter opens). */
function focusCard(grid: Element | null | undefined, index: number): void {
  const card = grid?.children[Math.max(0, Math.min(index, grid.children.length - 1))];
  card?.querySelector<HTMLElement>('a[href], button:not(:disabled)')?.focus();
}

/** A grid of uniform cards: fixed columns for the container's width, minmax(0, 1fr) each. */
export function CardGrid({ children, columns }: { children: ReactNode; columns?: number }) {
  const { ref, width } = useElementSize();
  const cols = columns ?? (width ? columnsFor(width, GRID_BREAKPOINTS) : 0);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = claim(event);
    if (index === null) return;
    const to = neighbour(event.key, index, event.currentTarget.children.length, cols || 4);
    if (to !== null) focusCard(event.currentTarget, to);
  };
  return (
    <div
      ref={ref}
      className={classes.grid}
      style={{ '--cols': cols || 4 } as React.CSSProperties}
      data-testid="card-grid"
      onKeyDown={onKeyDown}
    >
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
  // A card to focus once its page is showing (←/→ past the page's edge turn the page).
  const pending = useRef<number | null>(null);
  useEffect(() => {
    if (pending.current === null) return;
    focusCard(ref.current, pending.current);
    pending.current = null;
  }, [view.page, ref]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = claim(event);
    if (index === null || !cols) return;
    if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      // One row: ↑/↓ go to the same column of the row above or below on the page.
      const rows = Array.from(document.querySelectorAll('[data-card-row]'));
      const here = rows.indexOf(event.currentTarget);
      const there = rows[here + (event.key === 'ArrowUp' ? -1 : 1)];
      if (here >= 0 && there) focusCard(there, index);
      return;
    }
    const to = neighbour(event.key, view.page * cols + index, items.length, items.length);
    if (to === null) return;
    const toPage = Math.floor(to / cols);
    if (toPage === view.page) {
      focusCard(event.currentTarget, to % cols);
    } else {
      pending.current = to % cols;
      setPage(toPage);
    }
  };
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
      <div
        ref={ref}
        className={classes.grid}
        style={{ '--cols': cols || 4 } as React.CSSProperties}
        data-card-row
        onKeyDown={onKeyDown}
      >
        {items.length === 0 ? <div className={classes.empty}>{empty}</div> : cols > 0 && view.items.map(render)}
      </div>
    </section>
  );
}
