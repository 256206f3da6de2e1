import { EventEmitter } from 'node:events';
import type { AgentStatus } from './agent.entity';

/** Emitted on every status change of an agent (deploy, toggle, upgrade, rollback, delete, failure). */
export interface AgentStatusEvent {
	agentId: string;
	accountId: string;
	status: AgentStatus;
	errorReason: string | null;
	at: string;
}

interface AgentEventMap {
	status: [AgentStatusEvent];
}

/**
 * The hook live clients subscribe to (socket.io's `agent:status`, per account room): `events.on('status', …)`.
 * Listeners run synchronously after the change is stored; a throwing listener never fails the deployment.
 */
export class AgentEvents extends EventEmitter<AgentEventMap> {
	publishStatus(event: AgentStatusEvent): void {
		try {
			this.emit('status', event);
		} catch {
			// A live-update listener's failure must not turn a successful deployment into an error.
		}
	}
}
