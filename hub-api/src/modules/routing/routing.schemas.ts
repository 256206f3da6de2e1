import { z } from 'zod';
import { externalId, provider } from '../provider-accounts/provider-accounts.schemas';

export const routeParams = z.object({ provider, accountExternalId: externalId });
