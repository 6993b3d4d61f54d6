// Cursor paging: the API gives a next_cursor per page, so going back means remembering the
// cursors of the pages already seen. Changing a filter starts again at page one.
import { useCallback, useState } from 'react';

export function usePaging<C>() {
  const [stack, setStack] = useState<(C | undefined)[]>([undefined]);
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    page: stack.length,
    next: useCallback((c: C) => setStack((s) => [...s, c]), []),
    previous: useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []),
    reset: useCallback(() => setStack([undefined]), []),
  };
}
