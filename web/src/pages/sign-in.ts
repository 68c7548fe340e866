/** Sign in: the dealer's API token, kept in this browser once the API accepts it; then the page asked for. */
import { api, token } from '../api.js';
import { attempt } from '../attempt.js';
import { flash } from '../components/toast.js';
import { h, show } from '../dom.js';
import { returnTo } from '../return-to.js';

export function signInPage(): void {
  if (token.get() !== null) {
    location.hash = returnTo.take();
    return;
  }
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, placeholder: 'lr_…', id: 'token' });
  const form = h(
    'form',
    {
      className: 'card narrow',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        token.set(input.value.trim());
        const ok = await attempt(() => api('GET', '/api/videos'));
        if (ok) location.hash = returnTo.take();
        else flash('That token was not accepted.');
      },
    },
    h('h1', {}, 'Sign in'),
    h('label', { for: 'token' }, 'Dealer API token'),
    input,
    h('p', { className: 'muted' }, 'The token `lotreel dealers add` printed (it starts with lr_).'),
    h('button', { type: 'submit', className: 'primary' }, 'Sign in'),
  );
  show(form);
}
