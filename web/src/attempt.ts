/** Runs an API action for the page: a failure is shown (an expired token signs out), never thrown at it. */
import { ApiError, token } from './api.js';
import { flash } from './components/toast.js';

export async function attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      token.clear();
      location.hash = '#/sign-in';
      return undefined;
    }
    flash(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}
