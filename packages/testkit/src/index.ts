/**
 * `@nrm/testkit`: the golden Zennit fixtures and their loader, and the rule tester.
 *
 * @packageDocumentation
 */
export * from './fixtures.js';
export { RuleTester, type Reference, type ReferenceContext, type RuleTestCase, type RuleTestResult } from './rule-tester/rule-tester.js';
export { buildScenario, LINEAR_SCENARIOS, type Scenario, type ScenarioName } from './rule-tester/scenarios.js';
export { matrixForm, type MatrixForm } from './rule-tester/matrix-form.js';
export { mulberry32, uniform } from './rule-tester/random.js';
export * as references from './references/index.js';
export { runConformanceSuite, type ConformanceCheck, type ConformanceOptions, type ConformanceReport } from './conformance/conformance-suite.js';
