// The few layout rules the panel's stylesheet lacks for a nested editor. The panel's CSP allows
// no inline <style>; a constructed stylesheet goes through the CSSOM instead.
const CSS = `
.sales-plain { border: 0; margin: 0; padding: 0; min-width: 0; }
.sales-stages { list-style: none; margin: 0 0 14px; padding: 0; }
.sales-section { padding: 0; min-width: 0; }
.sales-section > legend { padding: 14px 18px 0; float: left; width: 100%; }
.sales-section > legend + * { clear: both; }
.sales-stage-header { flex-wrap: wrap; gap: 4px 12px; justify-content: flex-start; cursor: pointer; padding-bottom: 14px; }
.sales-stage-header h3 { margin: 0; font-size: 15px; }
.sales-stage[open] > .sales-stage-header { padding-bottom: 0; }
.sales-goal { flex: 1 1 240px; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.sales-stage > .card-body > .form-buttons:first-child { margin-bottom: 10px; }
.sales-item { border-left: 3px solid var(--border, #e4e7ef); padding: 6px 0 10px 12px; margin-bottom: 12px; }
.sales-tabs { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 14px; }
.sales-title { margin: 0; font-size: 18px; }
.sales-heading { font-size: 18px; margin: 18px 0 10px; }
.sales-code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
.sales-actions { position: sticky; bottom: 0; z-index: 1; margin-bottom: 0; }
.sales-action-row { align-items: flex-end; margin: 0; padding-top: 12px; padding-bottom: 12px; }
.sales-hint { flex-basis: 100%; margin: 0; }
.sales-narrow { flex: 0 1 200px; min-width: 120px; }
.sales-diff td { vertical-align: top; }
.sales-diff pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; min-width: 16ch; max-width: 48ch; }
.sales-diff code { white-space: normal; overflow-wrap: anywhere; }
@media (max-width: 820px) {
  .sales-actions { position: static; }
  .sales-stack thead { display: none; }
  .sales-stack, .sales-stack tbody, .sales-stack tr, .sales-stack td { display: block; width: 100%; }
  .sales-stack tr { border-bottom: 1px solid var(--border, #e4e7ef); padding: 8px 0; }
  .sales-stack td { border: 0; padding: 2px 0; }
  .sales-stack td[data-label]::before { content: attr(data-label) ": "; color: var(--muted, #6b7280); font-size: 12px; }
  .sales-diff pre { min-width: 0; max-width: none; }
}
`;

let installed = false;

export function installStyles(): void {
  if (installed || typeof CSSStyleSheet === 'undefined') return;
  installed = true;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    // Unstyled extras are still usable: the panel's own classes carry the layout.
  }
}
