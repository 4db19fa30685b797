/**
 * A connection in `tws` or `simulator` mode: one socket session and the broker on top of it. In
 * simulator mode it first starts the package's own TWS simulator on a free loopback port and then
 * connects to it through @stoqey/ib exactly as it would to TWS, so everything downstream is the same.
 * History and live data both go to the session; the account feed is TWS's; the replay clock is a
 * plain pacer (history replayed here warms indicators up and fills nothing).
 */
import { TypedEventEmitter } from '../messages/events';
import { disposeBroker } from '../broker';
import type { Broker } from '../orders/broker';
import type { ConnectionMode, ConnectionStatus } from '../ib/connection';
import { IbSocketSession, type SessionOptions } from '../ib/session';
import { createSimulator } from '../sim/server';
import type { Simulator, SimulatorOptions } from '../sim/server/types';
import { IbAccountSource } from './ib-account-source';
import { PacingClock } from './pacing-clock';
import type { Contract } from '@stoqey/ib';
import { contractCacheFor } from '../ib/contracts';
import { sizeRulesOf, type SizeRules } from '../messages/size-rules';
import type { AccountSource, ConnectionEvents, OpenableConnection, ReplayClock } from './types';

export interface IbConnectionOptions extends SessionOptions {
  /** Simulator mode only: how the in-process simulator behaves (seed, accounts, tick rate ...). */
  simulator?: SimulatorOptions;
}

/** Builds the broker over the session: the order side lives in lib/broker, not here. */
export type BrokerFactory = (connection: IbConnection) => Broker;

export class IbConnection extends TypedEventEmitter<ConnectionEvents> implements OpenableConnection {
  readonly mode: ConnectionMode;
  /** The socket session (one per config node). */
  readonly session: IbSocketSession;
  readonly broker: Broker;
  private readonly account: AccountSource;
  private readonly clock: ReplayClock;
  private simulatorInstance: Simulator | null = null;
  private opening: Promise<void> | null = null;

  constructor(
    readonly options: IbConnectionOptions,
    createBroker: BrokerFactory,
  ) {
    super();
    this.mode = options.mode;
    this.session = new IbSocketSession(options);
    this.session.on('status', (status) => this.emit('status', status));
    this.session.on('resubscribe', () => this.emit('resubscribe'));
    this.broker = createBroker(this);
    this.account = new IbAccountSource(this.session, this);
    this.clock = new PacingClock(this.mode);
  }

  status(): ConnectionStatus {
    return this.session.status();
  }

  history(): IbSocketSession {
    return this.session;
  }

  liveData(): IbSocketSession {
    return this.session;
  }

  accountFeed(): AccountSource {
    return this.account;
  }

  async sizeRules(contract: Contract): Promise<SizeRules | null> {
    const { details } = await contractCacheFor(this.session).qualify(contract);
    return sizeRulesOf(details);
  }

  async contractId(contract: Contract): Promise<number | null> {
    const { contract: qualified } = await contractCacheFor(this.session).qualify(contract);
    return qualified.conId && qualified.conId > 0 ? qualified.conId : null;
  }

  replay(): ReplayClock {
    return this.clock;
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
      this.session.setEndpoint(this.simulatorInstance.host, this.simulatorInstance.port);
    }
    this.session.start();
  }

  /**
   * Disconnects (the last user left). The simulator keeps running with its orders and positions, so a
   * redeploy of the nodes that use it does not wipe the paper account; dispose() stops it.
   */
  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = null;
    if (opening) await opening.catch(() => undefined);
    await this.session.stop();
  }

  /** Disconnects, stops the simulator and releases the broker for good (the config node itself is going). */
  async dispose(): Promise<void> {
    await this.close();
    const simulator = this.simulatorInstance;
    this.simulatorInstance = null;
    if (simulator) await simulator.close();
    disposeBroker(this.broker);
  }
}
