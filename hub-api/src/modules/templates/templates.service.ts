import { notFound } from '../../errors';
import type { AgentType, Template } from './template-catalogue';
import type { TemplateView } from './templates.schemas';

const toView = ({ manifest }: Template): TemplateView => ({
	slug: manifest.slug,
	name: manifest.name,
	description: manifest.description,
	category: manifest.category,
	version: manifest.version,
	icon: manifest.icon,
	useCases: manifest.useCases,
	premium: manifest.premium,
	requiredCredentials: manifest.credentials.map(({ key, type, name }) => ({ key, type, name })),
	configSchema: manifest.configSchema,
});

/** The template catalogue, read once at start-up (see loadTemplateCatalogue). */
export class TemplatesService {
	private readonly catalogue: ReadonlyMap<string, Template>;

	constructor(catalogue: ReadonlyMap<string, Template>) {
		this.catalogue = catalogue;
	}

	list(filter: { category?: AgentType; premium?: boolean } = {}): TemplateView[] {
		return [...this.catalogue.values()]
			.filter(({ manifest }) => filter.category === undefined || manifest.category === filter.category)
			.filter(({ manifest }) => filter.premium === undefined || manifest.premium === filter.premium)
			.map(toView);
	}

	view(slug: string): TemplateView {
		return toView(this.get(slug));
	}

	get(slug: string): Template {
		const template = this.catalogue.get(slug);
		if (!template) throw notFound('template');
		return template;
	}
}
