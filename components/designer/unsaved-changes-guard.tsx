'use client';
import { useEffect } from 'react';
import { useDesignerStoreApi } from './store-context';

/** Asks before the tab closes or reloads while there are unsaved changes. */
export function UnsavedChangesGuard() {
  const store = useDesignerStoreApi();
  useEffect(() => {
    function onBeforeUnload(event: BeforeUnloadEvent) {
      if (!store.getState().dirty) return;
      event.preventDefault();
    }
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [store]);
  return null;
}
