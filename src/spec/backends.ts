/** Where kube-apiserver sends audit events: the values of `enable --backend`. */
export type Backend = 'log' | 'webhook' | 'log,webhook';
export const BACKENDS: readonly Backend[] = ['log', 'webhook', 'log,webhook'];
