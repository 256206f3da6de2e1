import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startHub } from './server';

/** Process entry point: configuration, start-up, and a clean shutdown on SIGINT/SIGTERM. */
async function main(): Promise<void> {
	let config;
	try {
		config = loadConfig();
	} catch (error) {
		if (!(error instanceof ConfigError)) throw error;
		process.stderr.write(`${error.message}\n`);
		process.exit(1);
	}
	const logger = createLogger(config.logLevel);
	const hub = await startHub(config, { logger }).catch((error: unknown) => {
		logger.fatal({ err: error }, 'hub failed to start');
		process.exit(1);
	});

	let stopping = false;
	const stop = (signal: NodeJS.Signals) => {
		if (stopping) {
			logger.warn({ signal }, 'second signal, exiting immediately');
			process.exit(1);
		}
		stopping = true;
		logger.info({ signal }, 'shutting down');
		hub.close().then(
			() => process.exit(0),
			(error: unknown) => {
				logger.error({ err: error }, 'shutdown failed');
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main();
