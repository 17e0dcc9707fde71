/**
 * Starts the episode recorder (IndexedDB) once when the app mounts, and adds its window.vla calls once
 * bootstrap has installed window.vla (so `window.vla` keeps meaning "the world API is there").
 */
import { useEffect } from 'react';
import { installRecordingAutomation } from '../recordingAutomation';
import { appStore } from '../store';
import { startRecorder } from './recorder';

const INSTALL_POLL_MS = 100;

export function useRecordings(): void {
  useEffect(() => {
    const rec = startRecorder(appStore);
    let timer: ReturnType<typeof setTimeout> | null = null;
    const install = () => {
      timer = null;
      if (typeof window.vla?.reset === 'function') installRecordingAutomation(appStore, rec);
      else timer = setTimeout(install, INSTALL_POLL_MS);
    };
    install();
    return () => {
      if (timer) clearTimeout(timer);
    };
  }, []);
}
