/**
 * Starts the episode recorder (IndexedDB) once when the app mounts and adds its window.vla calls
 * (extendAutomation holds them back until bootstrap has installed window.vla, so `window.vla` keeps
 * meaning "the world API is there").
 */
import { useEffect } from 'react';
import { installRecordingAutomation } from '../recordingAutomation';
import { appStore } from '../store';
import { startRecorder } from './recorder';

export function useRecordings(): void {
  useEffect(() => {
    // Idempotent: StrictMode's second run adds the same calls again.
    installRecordingAutomation(appStore, startRecorder(appStore));
  }, []);
}
