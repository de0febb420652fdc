/**
 * What a run started from the UI needs — the catalogue, the scenario loader, the engine and the
 * reporters — in one module that routes/runs.ts imports on the first run, not at start-up:
 * `pcsim serve` answers its first request before any of it is loaded.
 */
export { selectJourneys } from '../../journeys/catalogue.js';
export { renderHtml, renderJson, renderJunit } from '../../journeys/reporters/index.js';
export { runJourneys } from '../../journeys/runner.js';
export { collectScenarios, formatProblem, parseScenario } from '../../scenarios/load.js';
export { scenarioJourney } from '../../scenarios/runner.js';
export { MemoryStore } from '../../store/memory.js';
