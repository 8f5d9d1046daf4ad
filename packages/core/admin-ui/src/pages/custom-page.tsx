import * as React from 'react';
import { type ComponentType, useEffect, useState } from 'react';
import { api, get } from '../api';
import { Badge, Card, ChartView, DataTable, Loading, Stat, useApi } from '../components';
import { useI18n } from '../i18n';

/**
 * What a custom page module gets: React (one copy, the panel's), the API client (cookie
 * session, CSRF token included), the panel's components and i18n. A module's default export
 * is `createPage(host)`, returning the React component of the page.
 */
export interface PanelHost {
  uiVersion: string;
  React: typeof React;
  api: { get: typeof get; send: typeof api; pluginPath(endpoint: string): string };
  components: {
    Card: typeof Card;
    DataTable: typeof DataTable;
    Stat: typeof Stat;
    Badge: typeof Badge;
    ChartView: typeof ChartView;
    Loading: typeof Loading;
  };
  hooks: { useApi: typeof useApi; useI18n: typeof useI18n };
}

function major(version: string): string {
  return version.split('.')[0] ?? version;
}

export function CustomPage({
  plugin,
  module,
  hostVersion,
}: {
  plugin: string;
  module: { url: string; uiVersion: string };
  hostVersion: string;
}) {
  const { t } = useI18n();
  const [Page, setPage] = useState<ComponentType | null>(null);
  const [error, setError] = useState('');
  const compatible = major(module.uiVersion) === major(hostVersion);

  useEffect(() => {
    if (!compatible) return;
    let live = true;
    const host: PanelHost = {
      uiVersion: hostVersion,
      React,
      api: { get, send: api, pluginPath: (endpoint) => `/admin/api/${plugin}${endpoint}` },
      components: { Card, DataTable, Stat, Badge, ChartView, Loading },
      hooks: { useApi, useI18n },
    };
    import(/* @vite-ignore */ module.url).then(
      (mod: { default?: (host: PanelHost) => ComponentType }) => {
        if (!live) return;
        if (typeof mod.default !== 'function') {
          setError('the module has no default export createPage(host)');
          return;
        }
        const component = mod.default(host);
        setPage(() => component);
      },
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [module.url, plugin, hostVersion, compatible]);

  if (!compatible) {
    return (
      <div className="card error-card" role="alert" data-testid="page-incompatible">
        <p>{t('page.incompatible', { plugin, built: module.uiVersion, host: hostVersion })}</p>
      </div>
    );
  }
  if (error) {
    return (
      <div className="card error-card" role="alert" data-testid="page-error">
        <p>{t('page.loadFailed', { plugin, error })}</p>
      </div>
    );
  }
  if (!Page) return <Loading />;
  return <Page />;
}
