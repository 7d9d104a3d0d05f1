/**
 * The audit policy every command uses when none is given: `render` without --policy, and `enable`
 * without --policy where it cannot ask. `gce` is kube-up's GCE policy: far fewer events than `basic`
 * (it drops health checks, node heartbeats and controller loops) while keeping what an audit needs
 * (every write, who read Secrets, exec, bodies of changes to built-in APIs). `basic` is the complete
 * but noisy alternative. A leaf module, so that the flag definitions loaded at start-up can import it.
 */
export const DEFAULT_POLICY = 'gce';
