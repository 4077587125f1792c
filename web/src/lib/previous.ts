/** What "previous" does: restart the playing track once it is this far in, else go back. */

/** Seconds. The server's rule (api/player/rules.py PREVIOUS_RESTART_MS) must agree: below it,
 * the client asks the server to go back, and the server goes back only below its own limit. */
export const RESTART_AFTER = 3;

export function previousAction(seconds: number): 'restart' | 'back' {
  return Number.isFinite(seconds) && seconds >= RESTART_AFTER ? 'restart' : 'back';
}
