// An element that takes albums and tracks dropped on it (see lib/drag.ts): it lights up while
// something of ours is dragged over it, and ignores files, links and text from elsewhere.
import { type DragEvent, useEffect, useState } from 'react';
import { carriesItems, decodeItems, DRAG_TYPE, type DragItems } from '../lib/drag';

export interface DropProps {
  onDragEnter(event: DragEvent<HTMLElement>): void;
  onDragOver(event: DragEvent<HTMLElement>): void;
  onDragLeave(event: DragEvent<HTMLElement>): void;
  onDrop(event: DragEvent<HTMLElement>): void;
}

export function useDropTarget(onItems: (items: DragItems) => void): { over: boolean; props: DropProps } {
  const [over, setOver] = useState(false);

  // A drag cancelled with Escape, or dropped elsewhere, sends this target no dragleave.
  useEffect(() => {
    if (!over) return;
    const off = () => setOver(false);
    window.addEventListener('dragend', off);
    window.addEventListener('drop', off);
    return () => {
      window.removeEventListener('dragend', off);
      window.removeEventListener('drop', off);
    };
  }, [over]);

  const accept = (event: DragEvent<HTMLElement>): boolean => {
    if (!carriesItems(event.dataTransfer?.types)) return false;
    event.preventDefault(); // this is what makes the element a drop target
    event.dataTransfer.dropEffect = 'copy';
    return true;
  };

  return {
    over,
    props: {
      onDragEnter: (event) => {
        if (accept(event)) setOver(true);
      },
      onDragOver: (event) => {
        if (accept(event) && !over) setOver(true);
      },
      onDragLeave: (event) => {
        // Moving onto a child leaves the parent too: only leaving the whole element counts.
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
      },
      onDrop: (event) => {
        if (!carriesItems(event.dataTransfer?.types)) return;
        event.preventDefault();
        event.stopPropagation(); // a drop target inside another takes the drop alone
        setOver(false);
        const items = decodeItems(event.dataTransfer.getData(DRAG_TYPE));
        if (items) onItems(items);
      },
    },
  };
}
