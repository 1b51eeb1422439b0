import type { components, operations } from '../../../generated/openapi';

/** Types of the REST contract, taken from generated/ by operationId: never redeclared by hand. */
export type Schemas = components['schemas'];
type Operation = keyof operations;

type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type RequestBody<O extends Operation> = operations[O] extends { requestBody?: infer R } ? JsonOf<NonNullable<R>> : never;

export type QueryOf<O extends Operation> = operations[O]['parameters'] extends { query?: infer Q } ? NonNullable<Q> : never;

export type Role = Schemas['Role'];

/** Who is acting: the authenticated user behind a request, or the service itself. */
export interface Actor {
  id: string;
  role: Role;
}

export function isStaff(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'operator';
}
