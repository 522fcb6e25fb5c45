import type { INodeProperties } from 'n8n-workflow';

const objects = [
	{ name: 'Company', value: 'companies' },
	{ name: 'Contact', value: 'contacts' },
	{ name: 'Deal', value: 'deals' },
];

export function objectParam(name: string, displayName: string, def: string): INodeProperties {
	return { displayName, name, type: 'options', options: objects, default: def };
}

export function idParam(name: string, displayName: string, description: string): INodeProperties {
	return { displayName, name, type: 'string', default: '', required: true, placeholder: 'e.g. 170000000001', description };
}
