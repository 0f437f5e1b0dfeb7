/**
 * `@nrm/testkit`: the golden Zennit fixtures and their loader, and the rule tester.
 *
 * @packageDocumentation
 */
export * from './fixtures.js';
