/** The Store interface is declared by its user, databricks (layers: databricks → store); the store layer implements it. */
export type { Store } from '../databricks/store-port.js';
