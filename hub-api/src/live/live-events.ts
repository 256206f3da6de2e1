import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { HubError } from '../errors';
import type { HubEventName, HubEvents } from '../hub-events';

/** Whatever turns the handshake's access token into the account it acts for (AUTH's access-token verifier). */
export interface SocketTokenVerifier {
	authenticateAccessToken(token: string): Promise<{ accountId: string }>;
}

export const accountRoom = (accountId: string) => `account:${accountId}`;

export interface LiveEvents {
	io: Server;
	close(): Promise<void>;
}

/** What live clients hear, each under its own name, in the room of the event's account. */
const LIVE_EVENTS: readonly HubEventName[] = ['agent:execution', 'agent:status', 'conversation:handler', 'social-account:status'];

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** `auth: { token }` (browsers) or an `Authorization: Bearer` header (server-side clients). */
function tokenOf(socket: Socket): string | undefined {
	const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
	if (typeof fromAuth === 'string' && fromAuth !== '') return fromAuth.replace(/^Bearer\s+/i, '');
	const header = socket.handshake.headers.authorization;
	return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
}

/**
 * socket.io on the hub's HTTP server (path /socket.io). A connection is accepted only with a valid access token
 * (the same JWT as the REST API) and is put in its own account's room, and only there: clients cannot join rooms
 * (there is no join event), so an account never receives another account's events. Events come from HubEvents:
 * `agent:execution` for each recorded execution report, `agent:status` when an agent changes and
 * `conversation:handler` when a conversation passes between the AI and a person.
 * One hub process delivers the events it produced; several replicas need socket.io's Redis adapter (not wired).
 */
export function attachLiveEvents(
	server: HttpServer,
	{ events, verifier, logger }: { events: HubEvents; verifier: SocketTokenVerifier; logger: Logger },
): LiveEvents {
	const io = new Server(server, { serveClient: false, cors: { origin: false } });

	io.use((socket, next) => {
		const token = tokenOf(socket);
		if (!token) {
			next(Object.assign(new Error('Missing access token'), { data: { code: 'invalid_token' } }));
			return;
		}
		verifier.authenticateAccessToken(token).then(
			(principal) => {
				socket.data.accountId = principal.accountId;
				next();
			},
			(error: unknown) => {
				const refusal = error instanceof HubError ? error : new HubError(401, 'invalid_token', 'Invalid access token');
				if (!(error instanceof HubError)) logger.error({ err: error }, 'socket authentication failed');
				next(Object.assign(new Error(refusal.message), { data: { code: refusal.code } }));
			},
		);
	});

	io.on('connection', (socket) => {
		void socket.join(accountRoom(socket.data.accountId as string));
	});

	const unsubscribe = LIVE_EVENTS.map((name) =>
		events.subscribe(name, (event) => io.to(accountRoom(event.accountId)).emit(name, event)),
	);

	return {
		io,
		close: async () => {
			for (const stop of unsubscribe) stop();
			// Disconnects every client; the HTTP server itself is closed by its owner.
			io.disconnectSockets(true);
			await new Promise<void>((resolve) => {
				io.engine.close();
				resolve();
			});
		},
	};
}
