import { type ReactNode, useState } from 'react';
import type { PanelManifest } from './api';
import { Async, ErrorBoundary, Icon, useApi } from './components';
import { I18nProvider, type Lang, type MessageKey, useI18n } from './i18n';
import { AdminsPage } from './pages/admins';
import { DashboardPage } from './pages/dashboard';
import { JobsPage } from './pages/jobs';
import { LogsPage } from './pages/logs';
import { MigrationsPage } from './pages/migrations';
import { PluginPage } from './pages/plugin-page';
import { PluginsPage } from './pages/plugins';
import { SettingsPage } from './pages/settings';
import { SignInPage } from './pages/sign-in';
import { UsagePage } from './pages/usage';
import { Link, RouterProvider, useRouter } from './router';
import { SessionProvider, useSession } from './session';

const SYSTEM_PAGES: Array<{ path: string; label: MessageKey; icon: string; render: () => ReactNode }> = [
  { path: '/', label: 'nav.dashboard', icon: 'dashboard', render: () => <DashboardPage /> },
  { path: '/plugins', label: 'nav.plugins', icon: 'plugins', render: () => <PluginsPage /> },
  { path: '/settings', label: 'nav.settings', icon: 'settings', render: () => <SettingsPage /> },
  { path: '/usage', label: 'nav.usage', icon: 'usage', render: () => <UsagePage /> },
  { path: '/admins', label: 'nav.admins', icon: 'admins', render: () => <AdminsPage /> },
  { path: '/jobs', label: 'nav.jobs', icon: 'jobs', render: () => <JobsPage /> },
  { path: '/migrations', label: 'nav.migrations', icon: 'migrations', render: () => <MigrationsPage /> },
  { path: '/logs', label: 'nav.logs', icon: 'logs', render: () => <LogsPage /> },
];

export function App() {
  return (
    <I18nProvider>
      <RouterProvider>
        <SessionProvider signIn={<SignInPage />}>
          <Shell />
        </SessionProvider>
      </RouterProvider>
    </I18nProvider>
  );
}

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <fieldset className="lang-switch" aria-label={t('lang.switch')}>
      {(['en', 'ru'] as Lang[]).map((l) => (
        <button
          key={l}
          type="button"
          className={l === lang ? 'active' : undefined}
          aria-pressed={l === lang}
          onClick={() => setLang(l)}
        >
          {l.toUpperCase()}
        </button>
      ))}
    </fieldset>
  );
}

function Shell() {
  const i18n = useI18n();
  const { t } = i18n;
  const { session, signOut } = useSession();
  const { path } = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  const manifest = useApi<PanelManifest>('/admin/api/core/panel/ui');
  const pluginPages = (manifest.data?.plugins ?? []).filter((p) => p.pages.length > 0);
  const close = () => setMenuOpen(false);

  const system = SYSTEM_PAGES.find((p) => p.path === path);
  const pluginMatch = /^\/p\/([^/]+)\/([^/]+)(?:\/(.+))?$/.exec(path);
  let content: ReactNode;
  if (system) content = system.render();
  else if (pluginMatch)
    content = (
      <Async state={manifest}>
        {(m) => {
          const plugin = m.plugins.find((p) => p.id === pluginMatch[1]);
          const page = plugin?.pages.find((p) => p.id === pluginMatch[2]);
          if (!plugin || !page) return <p className="empty">{t('page.notFound')}</p>;
          return (
            <PluginPage
              uiVersion={m.uiVersion}
              plugin={plugin.id}
              page={page}
              itemId={pluginMatch[3] ? decodeURIComponent(pluginMatch[3]) : undefined}
            />
          );
        }}
      </Async>
    );
  else content = <p className="empty">{t('page.notFound')}</p>;

  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <aside className="sidebar" aria-label={t('nav.menu')}>
        <div className="brand">
          <span className="brand-mark">B</span>
          <span>Botloom</span>
        </div>
        <nav>
          <div className="nav-section">{t('nav.system')}</div>
          {SYSTEM_PAGES.map((p) => (
            <Link key={p.path} to={p.path} className="nav-link" onClick={close}>
              <Icon name={p.icon} />
              {t(p.label)}
            </Link>
          ))}
          {pluginPages.map((plugin) => (
            <div key={plugin.id} data-testid={`nav-plugin-${plugin.id}`}>
              <div className="nav-section">{plugin.id}</div>
              {plugin.pages.map((page) => (
                <Link key={page.id} to={`/p/${plugin.id}/${page.id}`} className="nav-link" onClick={close}>
                  <Icon name="page" />
                  {i18n.text(page.title)}
                </Link>
              ))}
            </div>
          ))}
        </nav>
      </aside>
      <button type="button" className="scrim" aria-label={t('nav.menu')} onClick={close} tabIndex={-1} />
      <div className="main-column">
        <header className="topbar">
          <button
            type="button"
            className="btn btn-ghost menu-button"
            aria-label={t('nav.menu')}
            aria-expanded={menuOpen}
            onClick={() => setMenuOpen((o) => !o)}
          >
            <Icon name="menu" size={22} />
          </button>
          <div className="topbar-title">{t('app.title')}</div>
          <LanguageSwitch />
          <div className="user-chip" data-testid="current-user">
            <span className="avatar">{session?.user.username.slice(0, 1).toUpperCase()}</span>
            <span className="user-name">{session?.user.username}</span>
            <span className="user-role">
              {t(session?.user.role === 'admin' ? 'role.admin' : 'role.viewer')}
            </span>
          </div>
          <button type="button" className="btn btn-ghost" onClick={() => signOut()} data-testid="sign-out">
            <Icon name="logout" />
            <span className="hide-phone">{t('signout')}</span>
          </button>
        </header>
        <main id="main" tabIndex={-1}>
          <ErrorBoundary resetKey={path} title={t('page.crashed')} hint={t('page.crashedHint')}>
            {content}
          </ErrorBoundary>
        </main>
      </div>
    </div>
  );
}
