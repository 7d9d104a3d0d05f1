declare const __KOPS_AUDIT_VERSION__: string | undefined;

/** Set by the bundler from package.json; `0.0.0-dev` when running from source (tests). */
export const VERSION: string =
  typeof __KOPS_AUDIT_VERSION__ === 'string' ? __KOPS_AUDIT_VERSION__ : '0.0.0-dev';
