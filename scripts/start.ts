// `npm start`. The work is in scripts/lib/start-stack.ts; this entry stays CommonJS-shaped (no static import) so that
// Node runs it without reparsing it as an ES module, and loads the typed modules, which are ES modules, from here.
void import('./lib/start-stack.ts').then(({ runStart }) => runStart());
