/** The node's resources: four standard objects and any sObject by API name. */
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

export const RESOURCES = [
	{ value: 'account', name: 'Account', sObject: 'Account', singular: 'account', plural: 'accounts' },
	{ value: 'contact', name: 'Contact', sObject: 'Contact', singular: 'contact', plural: 'contacts' },
	{ value: 'customObject', name: 'Custom Object', sObject: '', singular: 'record', plural: 'records' },
	{ value: 'lead', name: 'Lead', sObject: 'Lead', singular: 'lead', plural: 'leads' },
	{ value: 'opportunity', name: 'Opportunity', sObject: 'Opportunity', singular: 'opportunity', plural: 'opportunities' },
] as const;

export type Resource = (typeof RESOURCES)[number]['value'];

/** The sObject API name for an item (Custom Object: the chosen sObject). */
export function sObjectFor(ctx: IExecuteFunctions, itemIndex: number): string {
	const resource = ctx.getNodeParameter('resource', itemIndex) as Resource;
	const fixed = RESOURCES.find((r) => r.value === resource)?.sObject;
	if (fixed) return fixed;
	return String(ctx.getNodeParameter('sObject', itemIndex, '')).trim();
}

/** The same, while the editor loads dropdowns (current, possibly unsaved, parameters). */
export function currentSObject(ctx: ILoadOptionsFunctions): string {
	const resource = ctx.getCurrentNodeParameter('resource') as Resource | undefined;
	const fixed = RESOURCES.find((r) => r.value === resource)?.sObject;
	if (fixed) return fixed;
	const chosen = ctx.getCurrentNodeParameter('sObject');
	return typeof chosen === 'string' ? chosen.trim() : '';
}
