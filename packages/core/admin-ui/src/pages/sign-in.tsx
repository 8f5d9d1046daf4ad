import { type FormEvent, useState } from 'react';
import { ApiError } from '../api';
import { LanguageSwitch } from '../app';
import { useI18n } from '../i18n';
import { useSession } from '../session';

export function SignInPage() {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signIn(username, password);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 429
          ? t('signin.limited')
          : err instanceof ApiError && err.status === 401
            ? t('signin.wrong')
            : `${t('common.error')}: ${(err as Error).message}`,
      );
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit} data-testid="sign-in-form">
        <div className="signin-top">
          <div className="brand">
            <span className="brand-mark">B</span>
            <span>Botloom</span>
          </div>
          <LanguageSwitch />
        </div>
        <h1>{t('signin.title')}</h1>
        <p className="muted">{t('signin.subtitle')}</p>
        <label className="field">
          <span>{t('signin.username')}</span>
          <input
            className="input"
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('signin.password')}</span>
          <input
            className="input"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="form-error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {t('signin.submit')}
        </button>
      </form>
    </div>
  );
}
