import { z } from 'zod';

export const STATS_PERIODS = ['7d', '4w', '3m'] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];

export const agentStatsParams = z.object({ id: z.uuid() });

export const agentStatsQuery = z
	.object({
		period: z.enum(STATS_PERIODS).default('7d'),
		/** Required with a platform key, ignored otherwise. */
		accountId: z.uuid().optional(),
	})
	.strip();

export const overviewQuery = z.object({ accountId: z.uuid().optional() }).strip();

export const costsQuery = z
	.object({
		period: z.enum(STATS_PERIODS).default('4w'),
		accountId: z.uuid().optional(),
	})
	.strip();
