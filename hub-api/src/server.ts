import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp } from './app';
import { CacheInvalidations } from './cache/cache-invalidations';
import { type Clock, systemClock } from './clock';
import type { HubConfig } from './config';
import { createDataSource } from './db/data-source';
import { closeRedis, createRedis } from './db/redis';
import { HubEvents } from './hub-events';
import { attachLiveEvents, type LiveEvents } from './live/live-events';
import { createLogger } from './logger';
import { createHubServices, type HubServices } from './services';

export interface StartHubOptions {
	clock?: Clock;
	logger?: Logger;
}

export interface RunningHub {
	/** http://127.0.0.1:<port> */
	url: string;
	port: number;
	/** The Express app being served (tests read its route table). */
	app: Express;
	/** Stops accepting requests, then closes Redis and the PostgreSQL pool. */
	close(): Promise<void>;
}

/**
 * Connects PostgreSQL (start-up fails if it is unreachable: nothing works without it), starts Redis in the
 * background (the hub starts and reports not-ready while Redis is down) and listens on `config.port` (0 = any).
 */
export async function startHub(config: HubConfig, options: StartHubOptions = {}): Promise<RunningHub> {
	const logger = options.logger ?? createLogger(config.logLevel);
	const dataSource = createDataSource(config.databaseUrl);
	await dataSource.initialize();
	const redis = createRedis(config.redisUrl, logger);
	// Revoked keys and plan changes, to and from the other replicas' caches (pub/sub needs a connection of its own).
	const invalidationsSubscriber = createRedis(config.redisUrl, logger);
	const invalidations = new CacheInvalidations(redis, config.redisNamespace, logger);
	invalidations.listen(invalidationsSubscriber);
	let services: HubServices | undefined;
	const release = async () => {
		await services?.close();
		await closeRedis(invalidationsSubscriber);
		await closeRedis(redis);
		await dataSource.destroy();
	};

	const events = new HubEvents();
	// Known once listening (port 0 picks one); agents deployed before then are impossible anyway.
	let listeningUrl = `http://127.0.0.1:${config.port}`;
	let live: LiveEvents | undefined;
	let app: Express;
	let server: Server;
	try {
		const clock = options.clock ?? systemClock;
		services = createHubServices({
			config,
			dataSource,
			redis,
			logger,
			clock,
			invalidations,
			events,
			listeningUrl: () => listeningUrl,
		});
		app = createApp({ config, services, redis, logger, clock });
		server = createServer(app);
		// socket.io shares the HTTP server (path /socket.io) and the REST API's access-token verifier.
		live = attachLiveEvents(server, { events, verifier: services.auth, logger });
		await listen(server, config.port);
	} catch (error) {
		// A broken template catalogue or a port in use: nothing may stay open (a caller in the same process, tests).
		await live?.close();
		await release();
		throw error;
	}

	const { port } = server.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}`;
	listeningUrl = url;
	logger.info({ url }, 'hub listening');
	return {
		url,
		port,
		app,
		close: async () => {
			await live?.close();
			await new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				// Keep-alive sockets with no request in flight would otherwise hold close() open.
				server.closeIdleConnections();
			});
			await release();
		},
	};
}

function listen(server: Server, port: number): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, () => {
			server.off('error', reject);
			resolve();
		});
	});
}
