import type { Logger } from 'pino';
import type { ConversationsService } from './conversations.service';

/**
 * Every `intervalMs`, this hub gives idle handovers of every account back to the AI (and publishes their live
 * events). Each replica runs one; the release is one idempotent statement, so they never release a conversation
 * twice. A sweep never overlaps the previous one; a failed one (database away) is logged and the next tries again.
 */
export function startIdleSweep(conversations: ConversationsService, intervalMs: number, logger: Logger) {
	let running: Promise<void> | null = null;
	const timer = setInterval(() => {
		// A sweep still running (a slow database) is not joined by another: the next tick tries again.
		if (running) return;
		running = conversations
			.releaseAllIdle()
			.then(
				() => {},
				(error: unknown) => logger.warn({ err: error }, 'idle handover release failed'),
			)
			.finally(() => {
				running = null;
			});
	}, intervalMs);
	timer.unref();
	return {
		stop: async () => {
			clearInterval(timer);
			await running;
		},
	};
}
