/** Who asked for a retry: an agent from the back-office, or an operator through the CLI. */
export type RetryActor = { readonly type: 'agent'; readonly agentId: string } | { readonly type: 'cli' };
