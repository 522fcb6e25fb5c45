/** Installs the n8n runtime into .cache once (used by `npm test` before the end-to-end suites and by `npm start`). */
import { ensureN8n, N8N_VERSION } from './runtime';

const bin = ensureN8n();
process.stderr.write(`[n8n-runtime] n8n ${N8N_VERSION} ready: ${bin}\n`);
