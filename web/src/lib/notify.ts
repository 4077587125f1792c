import { notifications } from '@mantine/notifications';
import { errorMessage } from '../api';

export function notifyError(err: unknown, title = 'Something went wrong'): void {
  notifications.show({ color: 'red', title, message: errorMessage(err), autoClose: 6000 });
}

export function notifyDone(message: string): void {
  notifications.show({ color: 'tonearm', message, autoClose: 2500 });
}

/** Run an action from a click; a failure becomes a readable notification. */
export function attempt(action: () => Promise<unknown>, title?: string): void {
  action().catch((err: unknown) => notifyError(err, title));
}
