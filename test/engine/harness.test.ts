import { runWorkflow, TestNodeTypes } from './harness';

test('the engine runs a fixture workflow', async () => {
	const types = new TestNodeTypes({});
	const res = await runWorkflow(types, { items: [{ a: 1 }, { a: 2 }], nodes: [] });
	expect(res.output('Fixture').map((i) => i.json)).toEqual([{ a: 1 }, { a: 2 }]);
});
