/**
 * Runs an API action for the page: a failure is shown (an expired token signs out, coming back to
 * this page after sign-in), never thrown at it; a success clears the errors shown before.
 */
import { ApiError, token } from './api.js';
import { clearErrors, flash } from './components/toast.js';
import { returnTo } from './return-to.js';

export async function attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
  try {
    const result = await action();
    clearErrors();
    return result;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      token.clear();
      returnTo.remember(location.hash);
      location.hash = '#/sign-in';
      return undefined;
    }
    flash(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}
