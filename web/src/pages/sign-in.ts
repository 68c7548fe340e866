/** Sign in: the dealer's API token, kept in this browser once the API accepts it. */
import { api, token } from '../api.js';
import { attempt } from '../attempt.js';
import { flash } from '../components/toast.js';
import { h, show } from '../dom.js';

export function signInPage(): void {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, placeholder: 'lrt_…', id: 'token' });
  const form = h(
    'form',
    {
      className: 'card narrow',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        token.set(input.value.trim());
        const ok = await attempt(() => api('GET', '/api/videos'));
        if (ok) location.hash = '#/videos';
        else flash('That token was not accepted.');
      },
    },
    h('h1', {}, 'Sign in'),
    h('label', { for: 'token' }, 'Dealer API token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  show(form);
}
