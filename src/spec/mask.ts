/**
 * Webhook kubeconfigs carry credentials (tokens, client keys), and so does the log shipper's
 * credentials file (`--ship-credentials`). Before any text is shown to a person
 * (diffs), the content of every file asset that holds one is replaced by a placeholder, as kubectl
 * diff masks Secrets.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { ParsedSpec } from './document.js';
import { fieldString, readAuditSetup, WEBHOOK_ASSET } from './read.js';
import { SHIP_CREDENTIALS_ASSET } from './ship-render.js';
import { splice } from './text.js';

/** Does this file-asset content look like a kubeconfig (which may hold credentials)? */
export function looksLikeKubeconfig(content: string): boolean {
  return /^kind:\s*["']?Config["']?\s*$/m.test(content) || /^(users|contexts):/m.test(content);
}

/** The name (or path) of every file asset whose content must not be shown. */
export function secretAssetKeys(parsed: ParsedSpec): Map<string, string> {
  const setup = readAuditSetup(parsed);
  const webhookFile = fieldString(setup, 'auditWebhookConfigFile');
  const secrets = new Map<string, string>();
  for (const asset of setup.assets) {
    const secret =
      asset.name === WEBHOOK_ASSET ||
      asset.name === SHIP_CREDENTIALS_ASSET ||
      (webhookFile !== undefined && asset.path === webhookFile) ||
      (asset.content !== undefined && looksLikeKubeconfig(asset.content));
    if (secret && asset.content !== undefined)
      secrets.set(asset.name ?? asset.path ?? String(asset.index), asset.content);
  }
  return secrets;
}

/**
 * `text` with the content of each secret asset replaced by `*** hidden: ... (label) ***`, where the
 * label is chosen per asset (`unchanged`, `before`, `after`) so a diff still shows whether it changed.
 */
export function maskSecrets(parsed: ParsedSpec, labelFor: (key: string) => string): string {
  const { text } = parsed;
  const secrets = secretAssetKeys(parsed);
  const assets = parsed.cluster.spec.get('fileAssets', true);
  if (secrets.size === 0 || !isSeq(assets)) return text;
  const edits: [number, number, string][] = [];
  for (const [index, item] of assets.items.entries()) {
    if (!isMap(item)) continue;
    const name = item.get('name');
    const path = item.get('path');
    const key = typeof name === 'string' ? name : typeof path === 'string' ? path : String(index);
    if (!secrets.has(key)) continue;
    const content = item.get('content', true);
    if (!isScalar(content) || !content.range) continue;
    const [start, end] = content.range;
    const newline = text[end - 1] === '\n' ? '\n' : '';
    const what = key === SHIP_CREDENTIALS_ASSET ? 'shipping credentials' : 'webhook kubeconfig';
    edits.push([start, end, `"*** hidden: ${what} (${labelFor(key)}) ***"${newline}`]);
  }
  let masked = text;
  for (const [start, end, placeholder] of edits.sort((a, b) => b[0] - a[0]))
    masked = splice(masked, start, end, placeholder);
  return masked;
}
