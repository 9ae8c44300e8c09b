// Every command that talks to a cluster extends BerthCommand: kubectl's connection flags are
// declared and resolved here once, and errors leave through one door with a documented exit code.
import { Command, Flags, Interfaces } from '@oclif/core';
import { BerthError } from '../shared/errors.js';
import { connect, type Connection, type ConnectionFlags } from './kube/connect.js';
import type { Kubeconfig } from './kube/kubeconfig.js';
import { forbiddenRoleHint } from './kube/forbidden-hint.js';
import { openReader, type ClusterReader } from './kube/reader.js';

export type BerthFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BerthCommand)['baseFlags'] & T['flags']>;
export type BerthArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

function connectionFlags(flags: Record<string, unknown>): ConnectionFlags {
  return {
    kubeconfig: flags.kubeconfig as string | undefined,
    context: flags.context as string | undefined,
    namespace: flags.namespace as string | undefined,
    'request-timeout': flags['request-timeout'] as string | undefined,
  };
}

export abstract class BerthCommand extends Command {
  static override baseFlags = {
    kubeconfig: Flags.string({
      description: 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config).',
      helpGroup: 'CONNECTION',
    }),
    context: Flags.string({ description: 'The kubeconfig context to use.', helpGroup: 'CONNECTION' }),
    namespace: Flags.string({
      char: 'n',
      description: "Namespace to act in (default: the context's namespace, else 'default').",
      helpGroup: 'CONNECTION',
    }),
    'request-timeout': Flags.string({
      description: "How long to wait for one API request, e.g. 30s or 1m ('0' waits forever).",
      default: '0',
      helpGroup: 'CONNECTION',
    }),
  };

  private connection?: Connection;

  /** Connects on first use, so commands that never reach the cluster never load client-node. */
  protected async cluster(flags: Record<string, unknown>, kubeconfig?: Kubeconfig): Promise<Connection> {
    this.connection ??= await connect(connectionFlags(flags), kubeconfig);
    return this.connection;
  }

  /** A read-only view for commands that only read and tunnel: the light reader when it can, else client-node. */
  protected async reader(flags: Record<string, unknown>): Promise<ClusterReader> {
    return openReader(connectionFlags(flags), (kubeconfig) => this.cluster(flags, kubeconfig));
  }

  /** Messages and progress go to stderr; stdout carries only data. */
  protected note(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<any> {
    if (error instanceof BerthError) {
      const roleHint = error.code === 'FORBIDDEN' ? forbiddenRoleHint(this.id, error.message) : undefined;
      if (roleHint) error.suggestions.push(roleHint);
      throw error;
    }
    return super.catch(error);
  }
}
