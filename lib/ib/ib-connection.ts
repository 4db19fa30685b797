/**
 * A connection in `tws` or `simulator` mode: one socket session and the broker on top of it. In
 * simulator mode it first starts the package's own TWS simulator on a free loopback port and then
 * connects to it through @stoqey/ib exactly as it would to TWS, so everything downstream is the same.
 */
import { EventEmitter } from 'node:events';
import type { Broker } from '../broker/types';
import { createSimulator } from '../sim/server';
import type { Simulator, SimulatorOptions } from '../sim/server/types';
import type { Connection, ConnectionEvents, ConnectionMode, ConnectionStatus } from './connection';
import { IbSocketSession, type SessionOptions } from './session';

export interface IbConnectionOptions extends SessionOptions {
  /** Simulator mode only: how the in-process simulator behaves (seed, accounts, tick rate ...). */
  simulator?: SimulatorOptions;
}

/** Builds the broker over the session: the order side lives in lib/broker, not here. */
export type BrokerFactory = (connection: IbConnection) => Broker;

export declare interface IbConnection {
  on<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
  off<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
  emit<E extends keyof ConnectionEvents>(event: E, ...args: Parameters<ConnectionEvents[E]>): boolean;
}

export class IbConnection extends EventEmitter implements Connection {
  readonly mode: ConnectionMode;
  readonly ib: IbSocketSession;
  readonly backtest = null;
  readonly broker: Broker;
  private simulatorInstance: Simulator | null = null;
  private opening: Promise<void> | null = null;

  constructor(
    readonly options: IbConnectionOptions,
    createBroker: BrokerFactory,
  ) {
    super();
    // Many nodes listen to one connection; Node's default cap of 10 would warn for no reason.
    this.setMaxListeners(0);
    this.mode = options.mode;
    this.ib = new IbSocketSession(options);
    this.ib.on('status', (status) => this.emit('status', status));
    this.ib.on('resubscribe', () => this.emit('resubscribe'));
    this.broker = createBroker(this);
  }

  status(): ConnectionStatus {
    return this.ib.status();
  }

  /** The in-process simulator (simulator mode, once open), for tests and the demo's fault buttons. */
  simulator(): Simulator | null {
    return this.simulatorInstance;
  }

  /** Connects (starting the simulator first in simulator mode); the session then stays up by itself. */
  open(): Promise<void> {
    if (!this.opening) this.opening = this.doOpen();
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    if (this.mode === 'simulator' && !this.simulatorInstance) {
      this.simulatorInstance = await createSimulator({ ...this.options.simulator, host: '127.0.0.1', port: this.options.simulator?.port ?? 0 });
      this.ib.setEndpoint(this.simulatorInstance.host, this.simulatorInstance.port);
    }
    this.ib.start();
  }

  /**
   * Disconnects (the last user left). The simulator keeps running with its orders and positions, so a
   * redeploy of the nodes that use it does not wipe the paper account; dispose() stops it.
   */
  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = null;
    if (opening) await opening.catch(() => undefined);
    await this.ib.stop();
  }

  /** Disconnects and stops the simulator for good (the config node itself is going). */
  async dispose(): Promise<void> {
    await this.close();
    const simulator = this.simulatorInstance;
    this.simulatorInstance = null;
    if (simulator) await simulator.close();
  }
}
