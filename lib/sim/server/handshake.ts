/**
 * Connection start-up as TWS does it: answer the version range with the negotiated server version and
 * connection time, then on START_API check the clientId, send MANAGED_ACCTS, NEXT_VALID_ID and the
 * data-farm notices. Also the tiny session-level requests: REQ_IDS, REQ_CURRENT_TIME, REQ_MANAGED_ACCTS.
 */
import type { VersionRange } from './framing';
import { encodeFrame } from './framing';
import type { SimContext } from './context';
import type { HandlerRegistry } from './handler';
import { register } from './handler';
import { Incoming, LOWEST_CLIENT_VERSION, Outgoing, ServerVersion } from './message-ids';
import type { ClientSession } from './session';
import { connectionTime } from './tws-time';

/** The version both sides speak: the client's highest, capped by the simulator's, or null when none fits. */
export function negotiateVersion(range: VersionRange, simulatorMax: number): number | null {
  const version = Math.min(range.max, simulatorMax);
  if (version < range.min || version < ServerVersion.MIN_NEGOTIATED || range.min < LOWEST_CLIENT_VERSION) return null;
  return version;
}

/** Answers the handshake; returns false (and closes) when no version fits. */
export function answerHandshake(session: ClientSession, range: VersionRange, context: SimContext): boolean {
  const version = negotiateVersion(range, context.options.maxServerVersion);
  if (version === null) {
    context.log(
      `${session.label}: client offers versions ${range.min}..${range.max}, the simulator speaks ${ServerVersion.MIN_NEGOTIATED}..${context.options.maxServerVersion}; closing`,
    );
    // TWS answers with its own version and lets the client refuse it (error 506 on the client side).
    session.sendRaw(encodeFrame([context.options.maxServerVersion, connectionTime(context.now())]));
    session.close();
    return false;
  }
  session.serverVersion = version;
  session.sendRaw(encodeFrame([version, connectionTime(context.now())]));
  context.log(`${session.label}: handshake at server version ${version}`);
  return true;
}

export const FARM_NOTICES: ReadonlyArray<[number, string]> = [
  [2104, 'Market data farm connection is OK:usfarm'],
  [2106, 'HMDS data farm connection is OK:ushmds'],
  [2158, 'Sec-def data farm connection is OK:secdefnj'],
];

export function registerHandshakeHandlers(registry: HandlerRegistry): void {
  register(registry, Incoming.START_API, 'START_API', (session, reader, context) => {
    reader.int('version');
    const clientId = reader.int('clientId');
    if (reader.remaining > 0) reader.str('optionalCapabilities');
    if (session.started) {
      session.error(-1, 321, 'Error validating request.-\'START_API\' : cause - the API is already started on this connection');
      return;
    }
    for (const other of context.startedSessions()) {
      if (other !== session && other.clientId === clientId) {
        context.log(`${session.label}: clientId ${clientId} is already in use by ${other.label}; refusing`);
        session.error(-1, 326, 'Unable to connect as the client id is already in use. Retry with a unique client id.');
        session.close();
        return;
      }
    }
    session.clientId = clientId;
    session.started = true;
    context.log(`${session.label}: API started`);
    sendManagedAccounts(session, context);
    session.send([Outgoing.NEXT_VALID_ID, 1, context.nextOrderId()]);
    for (const [code, message] of FARM_NOTICES) session.error(-1, code, message);
  });

  register(registry, Incoming.REQ_IDS, 'REQ_IDS', (session, reader, context) => {
    reader.int('version');
    reader.int('numIds');
    session.send([Outgoing.NEXT_VALID_ID, 1, context.nextOrderId()]);
  });

  register(registry, Incoming.REQ_CURRENT_TIME, 'REQ_CURRENT_TIME', (session, reader, context) => {
    reader.int('version');
    session.send([Outgoing.CURRENT_TIME, 1, Math.floor(context.now() / 1000)]);
  });

  register(registry, Incoming.REQ_MANAGED_ACCTS, 'REQ_MANAGED_ACCTS', (session, reader, context) => {
    reader.int('version');
    sendManagedAccounts(session, context);
  });
}

function sendManagedAccounts(session: ClientSession, context: SimContext): void {
  session.send([Outgoing.MANAGED_ACCTS, 1, context.options.accounts.join(',')]);
}
