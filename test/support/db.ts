/** Kept so that specs written before the merge still compile: import from ./database. */
export { query, waitFor } from './database';
