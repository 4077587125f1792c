// Who is signed in, and whether the server still needs its first account.
import { create } from 'zustand';
import { api, ApiError, ensureMediaToken, setToken } from '../api';
import type { User } from '../api/types';

export type AuthStatus = 'checking' | 'setup' | 'signed-out' | 'signed-in' | 'unreachable';

interface AuthStore {
  status: AuthStatus;
  user: User | null;
  error: string | null;
  check(): Promise<void>;
  signIn(name: string, password: string): Promise<void>;
  setup(name: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  expired(): void;
}

export const useAuth = create<AuthStore>((set, get) => ({
  status: 'checking',
  user: null,
  error: null,

  async check() {
    set({ status: 'checking', error: null });
    try {
      const user = await api.me();
      await ensureMediaToken();
      set({ status: 'signed-in', user });
      return;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) {
        set({ status: 'unreachable', error: (err as Error).message });
        return;
      }
    }
    setToken(null);
    try {
      const { needed } = await api.setupNeeded();
      set({ status: needed ? 'setup' : 'signed-out', user: null });
    } catch (err) {
      set({ status: 'unreachable', error: (err as Error).message });
    }
  },

  async signIn(name, password) {
    const result = await api.login(name, password);
    setToken(result.token);
    await ensureMediaToken();
    set({ status: 'signed-in', user: result.user, error: null });
  },

  async setup(name, password) {
    const result = await api.setup(name, password);
    setToken(result.token);
    await ensureMediaToken();
    set({ status: 'signed-in', user: result.user, error: null });
  },

  async signOut() {
    try {
      await api.logout();
    } catch {
      // signed out here either way
    }
    setToken(null);
    set({ status: 'signed-out', user: null });
  },

  expired() {
    if (get().status !== 'signed-in') return;
    setToken(null);
    set({ status: 'signed-out', user: null, error: 'Your session has ended. Please sign in again.' });
  },
}));
