/** Translation outside of a grammY context (jobs, services, admin-triggered messages). */
export interface Translator {
  readonly locales: string[];
  readonly defaultLocale: string;
  t(locale: string | undefined, key: string, variables?: Record<string, string | number | Date>): string;
}
